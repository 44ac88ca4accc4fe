"""Reads about one person: their account, e-mail addresses and audit trail."""

import functools
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from wagtail.models import ModelLogEntry

from portal.accounts.users import User
from portal.core.joined import Read, columns


def user_email_addresses(user: User) -> QuerySet[EmailAddress]:
    """The person's e-mail addresses, primary first."""
    return EmailAddress.objects.filter(user=user).order_by("-primary", "email")


@functools.cache
def _email_addresses_sql() -> str:
    return (
        f"SELECT {columns(EmailAddress, 'a')} FROM account_emailaddress a WHERE a.user_id = %s"  # noqa: S608
        ' ORDER BY a."primary" DESC, a.email'
    )


def user_email_addresses_read(user: User) -> Read:
    """`user_email_addresses` for My account, on every visit: one written-out statement (portal.core.joined)."""
    return Read(EmailAddress, _email_addresses_sql(), [user.pk])


def user_audit_entries(user: User) -> QuerySet[ModelLogEntry]:
    """Audit entries about the person's own account, oldest first."""
    content_type = ContentType.objects.get_for_model(User)
    return ModelLogEntry.objects.filter(Q(content_type=content_type, object_id=str(user.pk))).order_by(
        "timestamp", "pk"
    )


def user_export_account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "is_active": user.is_active,
    }


def user_export_email_addresses(user: User) -> list[dict[str, Any]]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in user_email_addresses(user)
    ]


def user_export_audit_log(user: User) -> list[dict[str, Any]]:
    # Only what was recorded about this account; who did it is shown as "you" or "staff", never a name.
    return [
        {
            "action": entry.action,
            "timestamp": entry.timestamp.isoformat(),
            "by": "you" if entry.user_id == user.pk else ("staff" if entry.user_id else "system"),
            "data": entry.data,
        }
        for entry in user_audit_entries(user)
    ]
