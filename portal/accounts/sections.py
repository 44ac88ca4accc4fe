"""What My account shows and what "Export my data" contains: registries other apps add to.

An app that holds something about a person registers, in its AppConfig.ready():
- `register_section(name, template, context_fn)`: a block on the My account page; `context_fn(user)`
  returns a dict, or None to hide the section for this person; the template is included with
  `section` (its `.name` and `.context`, the dict) and should be a `<section class="card">`.
  With `reads=fn`, `fn(user)` names the statements the section needs ({name: portal.core.joined.Read})
  and `context_fn(user, **rows)` receives their rows: every section's statements are sent together,
  in one round trip to PostgreSQL, instead of one each;
- `register_export(name, fn)`: a key of the JSON export; `fn(user)` returns JSON-safe data about
  this person only;
- `register_anonymiser(name, fn)`: called inside the anonymisation transaction, to erase what the
  app holds about the person (financial rows stay, their personal fields go). It runs before the
  account's name and e-mail addresses are erased, so `fn(user)` can find rows by the person's
  verified addresses (allauth's `EmailAddress`), e.g. orders placed as a guest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from portal.accounts import selectors
from portal.core.joined import Read, read_together


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context_fn: Callable[..., dict | None]
    order: int = 100
    reads: Callable[[Any], dict[str, Read]] | None = None


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template: str
    context: dict


_SECTIONS: dict[str, Section] = {}
_EXPORTS: dict[str, Callable[[Any], Any]] = {}
_ANONYMISERS: dict[str, Callable[[Any], None]] = {}
_DELETION_CHECKS: dict[str, Callable[[Any], list[str]]] = {}


def register_section(
    name: str,
    template: str,
    context_fn: Callable[..., dict | None],
    *,
    order: int = 100,
    reads: Callable[[Any], dict[str, Read]] | None = None,
) -> None:
    """Add (or replace, by name) a section of the My account page."""
    _SECTIONS[name] = Section(name=name, template=template, context_fn=context_fn, order=order, reads=reads)


def register_export(name: str, fn: Callable[[Any], Any]) -> None:
    """Add (or replace, by name) a key of the person's data export."""
    _EXPORTS[name] = fn


def register_anonymiser(name: str, fn: Callable[[Any], None]) -> None:
    """Add (or replace, by name) a step of account anonymisation."""
    _ANONYMISERS[name] = fn


def register_deletion_check(name: str, fn: Callable[[Any], list[str]]) -> None:
    """Add (or replace, by name) a reason an account cannot be deleted yet: `fn(user)` returns what the
    person must do first (e.g. hand over the last admin role of an organisation), or an empty list."""
    _DELETION_CHECKS[name] = fn


def deletion_blockers(user: AbstractBaseUser) -> list[str]:
    """Everything that stands in the way of deleting this account, in the apps' words."""
    return [reason for _, fn in sorted(_DELETION_CHECKS.items()) for reason in fn(user)]


def sections_for(user: AbstractBaseUser) -> list[RenderedSection]:
    """The My account sections that have something to show this person, in order."""
    shown = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))
    # Every section's statements go to the database together (one round trip on PostgreSQL).
    wanted = [
        (section.name, name, read) for section in shown if section.reads for name, read in section.reads(user).items()
    ]
    found = read_together([read for _, _, read in wanted])
    rows: dict[str, dict[str, list]] = {section.name: {} for section in shown}
    for (section_name, name, _), section_rows in zip(wanted, found, strict=True):
        rows[section_name][name] = section_rows
    rendered = []
    for section in shown:
        context = section.context_fn(user, **rows[section.name]) if section.reads else section.context_fn(user)
        if context is not None:
            # A dict without "items" would hand the template dict.items (three blank rows per pair).
            context.setdefault("items", [])
            rendered.append(RenderedSection(name=section.name, template=section.template, context=context))
    return rendered


def export_for(user: AbstractBaseUser) -> dict[str, Any]:
    """Every registered export for this person, keyed by name."""
    return {name: fn(user) for name, fn in sorted(_EXPORTS.items())}


def anonymisers() -> list[Callable[[Any], None]]:
    return [fn for _, fn in sorted(_ANONYMISERS.items())]


def _profile_reads(user: Any) -> dict[str, Read]:
    return {"email_addresses": selectors.user_email_addresses_read(user)}


def _profile_section(user: Any, email_addresses: list) -> dict:
    return {"title": "Profile", "email_addresses": email_addresses}


def register_core() -> None:
    """The accounts app's own section (the profile) and export keys: the person's fields, e-mail addresses,
    audit entries."""

    register_section("profile", "account/sections/profile.html", _profile_section, order=0, reads=_profile_reads)

    register_export("account", selectors.user_export_account)
    register_export("email_addresses", selectors.user_export_email_addresses)
    register_export("audit_log", selectors.user_export_audit_log)
