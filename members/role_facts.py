"""An organisation's admins see shared pages of their own (the register page offers them bundles): the fact is
kept with each person's kind of header (portal.core.cache), and forgotten when one of their roles changes."""

from django.db.models.signals import post_delete, post_save

from members.models import OrganizationRole
from members.selectors import administers_an_organization
from portal.core.cache import forget_header_kinds, register_person_fact

COMPANY_ADMIN = "company-admin"


def _role_changed(sender, instance: OrganizationRole, **kwargs) -> None:
    forget_header_kinds([instance.user_id])


def connect() -> None:
    register_person_fact(COMPANY_ADMIN, administers_an_organization)
    post_save.connect(_role_changed, sender=OrganizationRole, dispatch_uid="header-kind-role-saved")
    post_delete.connect(_role_changed, sender=OrganizationRole, dispatch_uid="header-kind-role-deleted")
