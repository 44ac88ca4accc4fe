"""Codes and secrets that orders, tickets and links carry, and the time-zone validator."""

import secrets
import zoneinfo

from django.core.exceptions import ValidationError

ORDER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone of the IANA database.") from None


def new_order_code() -> str:
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(8))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def new_ticket_code() -> str:
    # 128 bits: the QR code on a badge is the ticket, so it must not be guessable.
    return secrets.token_urlsafe(16)
