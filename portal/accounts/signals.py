"""Forget a person's kind of header (the Admin link, portal.core.cache) when their admin access may change."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_delete

from portal.core.cache import forget_header_kinds

# A clear is seen before it happens, while the rows it removes can still be read.
_ACTIONS = ("post_add", "post_remove", "pre_clear")


def _user_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:  # is_superuser or is_active may have changed
        forget_header_kinds([instance.pk])


def _people_concerned(instance, model, pk_set) -> list:
    user = get_user_model()
    if isinstance(instance, user):  # their groups or permissions
        return [instance.pk]
    if isinstance(instance, Group):  # its members, or its permissions (every member)
        if model is user and pk_set:
            return list(pk_set)
        return list(instance.user_set.values_list("pk", flat=True))
    # a permission given to (or taken from) groups or people
    if model is Group:
        groups = pk_set or instance.group_set.values_list("pk", flat=True)
        return list(user.objects.filter(groups__in=groups).values_list("pk", flat=True).distinct())
    return list(pk_set or instance.user_set.values_list("pk", flat=True))


def _access_changed(sender, instance, action, model, pk_set, **kwargs) -> None:
    if action in _ACTIONS:
        forget_header_kinds(_people_concerned(instance, model, pk_set))


def _group_deleted(sender, instance, **kwargs) -> None:
    forget_header_kinds(list(instance.user_set.values_list("pk", flat=True)))


def connect() -> None:
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="header-kind-user")
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_access_changed, sender=through, dispatch_uid=f"header-kind-{through._meta.label}")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="header-kind-group-deleted")
