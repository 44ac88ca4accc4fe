"""portal.core.pdf: any name prints as typed, long text wraps on the page, and without fonts a PDF still comes."""

import io
import logging

import pytest
from pypdf import PdfReader

from portal.core import pdf
from portal.core.pdf import Document
from tests import pdf_text

NAMES = {
    "Latin": "Zoë Ŝimić-Łukasiewicz",
    "Vietnamese": "Nguyễn Thị Hồng",
    "Greek": "Ἀθηνᾶ Παπαδοπούλου",
    "Cyrillic": "Анна Ковальчук",
    "CJK": "李小龙 田中さくら",
}
RIGHT_TO_LEFT = {"Hebrew": "שרה כהן", "Arabic": "محمد علي"}
LONG_NAME = " ".join(["Ŝtefánia Łukasiewicz-Ørsted", "Ἀθηνᾶ Παπαδοπούλου", "Анна Ковальчук"] * 2)[:120]


def _draw(*lines: str, bold: bool = False) -> bytes:
    doc = Document()
    doc.add_page()
    doc.style(10, bold=bold)
    for line in lines:
        doc.line(5, line)
    return doc.output()


@pytest.mark.dejavu
@pytest.mark.cjk_font
@pytest.mark.parametrize("bold", [False, True])
def test_names_in_every_script_come_out_as_typed(bold):
    [page] = pdf_text.page_texts(_draw(*NAMES.values(), bold=bold))
    assert page.splitlines() == list(NAMES.values())


@pytest.mark.dejavu
def test_right_to_left_names_print_right_to_left():
    """Drawn in visual order, so the text read back left to right is the name reversed."""
    [page] = pdf_text.page_texts(_draw(*RIGHT_TO_LEFT.values()))
    assert page.splitlines() == [name[::-1] for name in RIGHT_TO_LEFT.values()]


@pytest.mark.dejavu
def test_names_print_the_same_in_the_second_document_of_a_process():
    """The fonts are read once per process; every document still gets all its characters."""
    first, second = _draw(NAMES["Greek"], NAMES["Latin"]), _draw(NAMES["Latin"], NAMES["Cyrillic"])
    assert pdf_text.page_texts(first) == [f"{NAMES['Greek']}\n{NAMES['Latin']}"]
    assert pdf_text.page_texts(second) == [f"{NAMES['Latin']}\n{NAMES['Cyrillic']}"]


def _font_names(data: bytes) -> set[str]:
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in fonts.values()}


@pytest.mark.dejavu
@pytest.mark.cjk_font
def test_only_a_document_with_cjk_names_carries_the_cjk_font():
    """The fallback font is 4 MB: a Latin invoice does not embed even a subset of it."""
    latin = _draw(NAMES["Latin"], NAMES["Greek"])
    cjk = _draw(NAMES["Latin"], NAMES["CJK"])
    assert not any("Droid" in name for name in _font_names(latin))
    assert any("Droid" in name for name in _font_names(cjk))
    assert len(latin) < len(cjk)


@pytest.mark.dejavu
def test_a_120_character_name_wraps_and_stays_on_the_page():
    assert len(LONG_NAME) == 120
    data = _draw(LONG_NAME)
    pieces = pdf_text.shown(data)
    assert len(pieces) > 1 and " ".join(piece.text for piece in pieces) == LONG_NAME
    assert [piece.y for piece in pieces] == sorted((piece.y for piece in pieces), reverse=True)
    assert len({piece.y for piece in pieces}) == len(pieces)  # one line below the other
    # Each line ends inside the right margin (10 mm): measured in the font it was set in.
    doc = Document()
    doc.style(10)
    for piece in pieces:
        assert piece.x + doc.pdf.get_string_width(piece.text) * doc.pdf.k <= pdf_text.A4_WIDTH - 28


@pytest.mark.dejavu
def test_a_table_cell_wraps_in_its_column_and_the_row_grows():
    doc = Document()
    doc.add_page()
    doc.style(10)
    top = doc.row(7, ((60, LONG_NAME, "L"), (30, "1,200.00 EUR", "R")))
    doc.line(7, "Next row")
    pieces = pdf_text.shown(doc.output())
    name = [piece for piece in pieces if piece.text not in ("1,200.00 EUR", "Next row")]
    assert len(name) > 2 and " ".join(piece.text for piece in name) == LONG_NAME
    [amount] = [piece for piece in pieces if piece.text == "1,200.00 EUR"]
    [after] = [piece for piece in pieces if piece.text == "Next row"]
    assert amount.y == name[0].y  # the row's cells start on one line
    assert after.y < name[-1].y  # the next row comes below the wrapped name
    assert top == pytest.approx(10)  # the row started at the top margin


def test_without_fonts_a_latin_pdf_still_comes_with_a_warning(settings, tmp_path, caplog):
    settings.PDF_FONT_DIR = str(tmp_path)
    with caplog.at_level(logging.WARNING, logger="portal.core.pdf"):
        data = _draw("Zoë Ŝimić", "Łukasz 李小龙", "Ἀθηνᾶ")
    assert data.startswith(b"%PDF")
    assert pdf_text.page_texts(data) == ["Zoë Simic\n?ukasz ???\n?????"]
    [record] = caplog.records
    assert "DejaVu" in record.getMessage() and str(tmp_path) in record.getMessage()


def test_core_text_keeps_windows_1252_drops_accents_it_cannot_print_and_marks_the_rest():
    assert pdf.core_text("Zoë Ŝimić, Šárka Žáková") == "Zoë Simic, Šárka Žáková"
    assert pdf.core_text("Łukasz 李 Ἀθηνᾶ") == "?ukasz ? ?????"
    assert pdf.core_text("“Crème brûlée” – 12 €") == "“Crème brûlée” – 12 €"


def test_latin_documents_are_set_in_the_core_font_and_wrapped_dashes_survive():
    """A document every character of which is in Windows-1252 embeds no font; a wrapped line with an en
    dash printed (fpdf2 hands core-font lines back encoded: the dash came back as U+0096 and failed)."""
    import io

    from pypdf import PdfReader

    from portal.core.pdf import draw

    def drawing(doc):
        doc.add_page()
        doc.style(10)
        doc.row(7, ((30, "Membership dues 2026-01-01 – 2026-12-31, Zoë Müller", "L"),))

    data = draw(drawing)
    assert b"/FontFile2" not in data, "nothing embedded"
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "–" in text and "Zoë" in text


PARAGRAPHS = (
    "Please transfer 1,198.40 EUR to the Open Infrastructure Foundation, quoting the invoice number, within"
    " thirty days of the date above; a transfer short by bank fees is settled by our finance team.\n\n"
    "Zoë Müller – Łukasz Nowak – Ἀθηνᾶ Παπαδοπούλου signed on behalf of their companies, each of them"
    " reviewing every page before this one."
)


@pytest.mark.dejavu
@pytest.mark.parametrize("options", [{}, {"core_until_needed": True}], ids=["dejavu", "core"])
def test_wrapped_text_breaks_and_sits_where_fpdf2s_multi_cell_puts_it(options):
    """`wrapped` fills its lines itself (multi_cell measured the text again for every character): the
    same words on the same lines, at the same places, in either font."""
    text = PARAGRAPHS if not options else pdf.core_text(PARAGRAPHS)

    def drawn(block) -> list[tuple[str, float, float]]:
        doc = Document(**options)
        doc.add_page()
        doc.style(10)
        block(doc)
        return [(piece.text, round(piece.x, 2), round(piece.y, 2)) for piece in pdf_text.shown(doc.output())]

    ours = drawn(lambda doc: doc.wrapped(5, text))
    theirs = drawn(lambda doc: doc.pdf.multi_cell(0, 5, text, align="L", new_x="LMARGIN", new_y="NEXT"))
    assert ours == theirs
    assert len(ours) >= 4, "both paragraphs wrap"
