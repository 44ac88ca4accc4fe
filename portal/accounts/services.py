"""Writes to a person's account: their profile and the anonymisation that replaces deletion."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import ModelLogEntry

from portal.accounts import sections
from portal.accounts.exceptions import CannotDeleteAccount
from portal.accounts.users import User
from portal.core import cache
from portal.core.audit import audit

ANONYMISED_DOMAIN = "anonymised.invalid"  # RFC 2606: can never receive mail


def user_update_profile(*, user: User, first_name: str, last_name: str, actor: Any) -> User:
    """A person's name is theirs to change; the change is audited."""
    with transaction.atomic():
        changed = {
            field: value
            for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip()))
            if getattr(user, field) != value
        }
        if not changed:
            return user
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=list(changed))
        audit("guildhall.user.update_profile", user, actor=actor, data={"fields": sorted(changed)})
    return user


def anonymised_email(user: User) -> str:
    """The address an anonymised account is left with (anonymisers may copy it onto their own rows)."""
    return f"deleted-user-{user.pk}@{ANONYMISED_DOMAIN}"


def user_anonymise(*, user: User, actor: Any) -> User:
    """Deleting an account anonymises it: personal data goes, the row stays for financial records.

    Name and e-mail are replaced, the password made unusable (which also ends every session),
    privileges dropped and allauth's e-mail addresses removed, after each app's anonymiser has run
    (so it can still find what it holds by the person's addresses).
    A superuser cannot be anonymised: another administrator must first take the role away; nor can an
    account an app still needs (sections.deletion_blockers: e.g. an organisation's last admin).
    """
    if user.is_superuser:
        raise CannotDeleteAccount(
            "A superuser account cannot be deleted; ask another administrator to remove the role first."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        blockers = sections.deletion_blockers(user)
        if blockers:
            raise CannotDeleteAccount(" ".join(blockers))
        # First, while the person's name and addresses are still there: apps find guest orders by e-mail.
        for anonymiser in sections.anonymisers():
            anonymiser(user)
        user.first_name = ""
        user.last_name = ""
        user.email = anonymised_email(user)
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        EmailAddress.objects.filter(user=user).delete()
        # Earlier audit entries carry the old name in their label; keep the entries, drop the name.
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).update(label=str(user))
        audit("guildhall.user.anonymise", user, actor=actor, data={"self_service": actor == user})
        # From the service, so whichever process deletes the account (web, shell, worker) purges the
        # shared page cache: a public profile or list entry must not outlive the account.
        transaction.on_commit(cache.purge)
    return user
