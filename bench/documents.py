"""CPU per call of the documents drawn after each card payment: the ticket's QR code and the invoice.

    .venv/bin/python -m bench.documents [--before REV] [--rounds 7] [--calls 200]

Times the code as it is against the same modules at an earlier commit (read with `git show`, so the
baseline is the code that ran, not a copy of it), in alternating rounds of one process, and prints
each one's CPU per call (thread time, median of the rounds) and the ratio old/new. The host's speed
swings by up to 2x from minute to minute, so only the ratios of one run mean anything. No database
and no server: unsaved model instances, one core.
"""

import argparse
import io
import os
import secrets
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import segno

ROOT = Path(__file__).resolve().parent.parent
# The commit before the ticket's QR code and the invoice were made cheaper (stop 18).
BEFORE = "4eb299c"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()


def _invoice():
    """A one-line paid invoice, as the receipt task draws it for an order of one ticket."""
    from django.conf import settings

    from portal.payments.models import Invoice, InvoiceLine

    invoice = Invoice(
        pk=1,  # a related manager wants a primary key; nothing is read from the database
        number="INV-2026-00042",
        currency="EUR",
        buyer_name="Example Cloud GmbH",
        buyer_address="Hauptstrasse 1\n10115 Berlin",
        buyer_country="DE",
        buyer_vat_id="DE123456789",
        seller=dict(settings.INVOICE_SELLER),
        issued_on=date(2026, 6, 1),
        due_on=date(2026, 6, 1),
        net_total=Decimal("400.00"),
        tax_total=Decimal("76.00"),
        total=Decimal("476.00"),
    )
    line = InvoiceLine(
        invoice=invoice,
        description="Summit 2026: Conference pass",
        unit_price=Decimal("400.00"),
        tax_rate=Decimal("19"),
    )
    # What prefetch_related("lines") leaves, so invoice.lines.all() needs no query.
    invoice._prefetched_objects_cache = {"lines": [line]}
    return invoice


def _module_at(rev: str, path: str) -> types.ModuleType:
    """The module at `path` as it was at commit `rev`, loaded beside today's under another name."""
    source = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(f"before_{rev}_{path.replace('/', '_').removesuffix('.py')}")
    module.__file__ = f"{rev}:{path}"
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code, from git
    return module


def _cpu_per_call(call: Callable[[], object], calls: int) -> float:
    start = time.thread_time()
    for _ in range(calls):
        call()
    return (time.thread_time() - start) / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"the baseline's commit (default {BEFORE})")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds of old and new (default 7)")
    parser.add_argument("--calls", type=int, default=200, help="calls per round (default 200)")
    args = parser.parse_args(argv)
    _setup()

    from events.models import Ticket
    from events.qr import QR_MASK, qr_png, ticket_qr_png
    from portal.payments.pdf import invoice_pdf

    ticket = Ticket(code=secrets.token_urlsafe(16))  # as events.models.new_ticket_code makes it
    qr = segno.make(ticket.code, error="m", mask=QR_MASK)
    invoice = _invoice()
    old_emails = _module_at(args.before, "events/emails.py")
    old_pdf = _module_at(args.before, "portal/payments/pdf.py")

    def segno_png(scale: int) -> bytes:  # how the QR code was drawn before: segno's own PNG writer
        buffer = io.BytesIO()
        qr.save(buffer, kind="png", scale=scale, border=2)
        return buffer.getvalue()

    pairs: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "ticket QR PNG, e-mail (scale 6)": (
            lambda: old_emails.ticket_qr_png(ticket),
            lambda: ticket_qr_png(ticket),
        ),
        "ticket QR PNG, PDF and view (scale 8)": (
            lambda: old_emails.ticket_qr_png(ticket, scale=8),
            lambda: ticket_qr_png(ticket, scale=8),
        ),
        "  its drawing alone (scale 8)": (lambda: segno_png(8), lambda: qr_png(qr, scale=8)),
        "invoice PDF, one line": (lambda: old_pdf.invoice_pdf(invoice), lambda: invoice_pdf(invoice)),
    }
    print(
        f"CPU per call (thread time, median of {args.rounds} rounds of {args.calls} calls), "
        f"old ({args.before}) / new in one run"
    )
    print(f"{'document':40} {'old ms':>8} {'new ms':>8} {'old/new':>8}")
    for name, (old, new) in pairs.items():
        old(), new()  # imports, font metrics and caches before timing
        old_times, new_times, ratios = [], [], []
        for _ in range(args.rounds):
            old_time, new_time = _cpu_per_call(old, args.calls), _cpu_per_call(new, args.calls)
            old_times.append(old_time)
            new_times.append(new_time)
            ratios.append(old_time / new_time)
        print(
            f"{name:40} {statistics.median(old_times) * 1000:8.3f} {statistics.median(new_times) * 1000:8.3f}"
            f" {statistics.median(ratios):8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
