"""The one CSV writer every export uses: cells someone typed cannot run as spreadsheet formulas.

    from portal.core.csv_writer import csv_response, csv_text, safe_cell

    return csv_response("members.csv", header, rows)          # a download (streamed)
    text = csv_text(header, rows)                             # the same bytes as a string
    writer = safe_writer(response); writer.writerow(row)      # into a file-like object

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and one that starts
with a tab or a carriage return after trimming; such cells get a leading `'` (OWASP's advice), so
the text shows as typed. Empty cells stay empty, and numbers, dates and Decimals are written as they
are: only text a person could have typed is neutralised.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell as written: text that a spreadsheet would run as a formula is prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool | int | Decimal | float | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's `writerow`, with every cell through safe_cell."""

    def __init__(self, file) -> None:
        self._writer = csv.writer(file, lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> object:
        return self._writer.writerow([safe_cell(value) for value in row])


def safe_writer(file) -> SafeWriter:
    """A CSV writer into `file` (an HttpResponse, a StringIO) that neutralises formulas."""
    return SafeWriter(file)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header and each row as CSV lines (CRLF, as RFC 4180 says), every cell through safe_cell."""
    writer = SafeWriter(_Echo())
    yield cast(str, writer.writerow(header))
    for row in rows:
        yield cast(str, writer.writerow(row))


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole CSV as one string."""
    return "".join(csv_lines(header, rows))


def csv_response(filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """A CSV download, streamed row by row so a large export does not sit in memory."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
