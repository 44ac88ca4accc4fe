"""Every PDF the portal draws goes through `Document`, so any name prints: Zoë, Łukasz, 李小龙, Ἀθηνᾶ.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core) with Droid Sans Fallback (fonts-droid-fallback)
for the Chinese and Japanese characters DejaVu lacks, both read from `settings.PDF_FONT_DIR`. Neither
has the Korean syllables: a Korean name prints as empty boxes (and fpdf2 logs the missing glyphs).
Without DejaVu the document falls back to the core Helvetica, which speaks Windows-1252 only: other
characters lose their accents or become '?', and a warning is logged.

What it costs. fpdf2's `add_font` reads the whole font (its character map and every glyph's width:
35 ms for DejaVu, 150 ms for Droid) and `output` subsets each added font in place, decoding tables whose
size grows with the font's glyph count (20 ms for DejaVu's 6,000 glyphs, 50 ms for Droid's 50,000),
so a parsed font cannot serve two documents. So each process reads each font once (`_load`), and each
document gets a copy of the metrics and a fontTools font of its own opened on bytes kept in memory.
The font every document carries is a cut of DejaVu to the scripts of European names and our own text
(`NAME_SCRIPTS`, a third of its glyphs); whole DejaVu and then Droid are added as fallback fonts only
when a text has a character the cut lacks, so an ordinary invoice subsets two small fonts. Droid comes
in cuts of 1,024 code points (about 2,000 glyphs each, cut in 0.4 s the first time a process needs one),
so a Chinese name costs a few small fonts rather than the 50,000 glyphs of the whole (250 ms a document).

Most documents need none of it: a document whose every character is in Windows-1252 (English, French,
German, Spanish, Polish names' Ł and ś excepted, ...) is set in the core Helvetica, which costs nothing
to embed (0.6 ms an invoice, against about 27 ms with DejaVu's subsetting). `draw` tries that first
and draws again in DejaVu the moment a character needs it; callers write their drawing once.

Text goes through `FPDF.text` at the very place `FPDF.cell` would put it (a cell splits its text into
styled fragments and measures it again), measured from the font's widths; `wrapped` blocks are broken
into lines here too (multi_cell measures the text again for every character it adds). Only table cells
wider than their column, and text with characters from a fallback font, go through `multi_cell` and `cell`.
"""

import copy
import io
import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import SubsetMap, TTFFont

logger = logging.getLogger(__name__)

# Paths under settings.PDF_FONT_DIR, where Debian's packages put them.
REGULAR = "dejavu/DejaVuSans.ttf"
BOLD = "dejavu/DejaVuSans-Bold.ttf"
CJK = "droid/DroidSansFallbackFull.ttf"

FAMILY = "dejavu"  # the cut of DejaVu every document carries
WHOLE_FAMILY = "dejavuall"  # all of DejaVu, a fallback
CJK_FAMILY = "droid"  # the last fallback, one font per block of CJK_BLOCK code points
CJK_BLOCK = 1024
CORE_FAMILY = "helvetica"  # without DejaVu
CORE_ENCODING = "windows-1252"  # Latin-1 with the typographic quotes and dashes, the euro sign, Š and Ž

NAME_SCRIPTS = (
    (0x0020, 0x036F),  # Latin, Latin-1, Latin Extended-A and -B, IPA, modifier letters, combining accents
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    # Hebrew and Arabic: fpdf2 orders right-to-left words correctly only within one font. Without
    # uharfbuzz (text shaping) Arabic letters print in their isolated forms, unjoined.
    (0x0590, 0x06FF),
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended (polytonic)
    (0x2000, 0x206F),  # punctuation: dashes, quotes, the middle dot's neighbours
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike symbols: numero sign, trade mark
)
# Tables fpdf2 drops when it embeds a font; dropping them first spares each document decoding them.
UNUSED_TABLES = [
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "kern", "meta",
    "sbix", "CBDT", "CBLC", "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
]  # fmt: skip

LEADING = 1.25  # the distance between wrapped lines, in font sizes
Align = Literal["L", "R"]
Cell = tuple[float, str, Align]  # width in mm (0: to the right margin), text, alignment


def font_dir() -> Path:
    return Path(settings.PDF_FONT_DIR)


def has_unicode_font() -> bool:
    """DejaVu Sans is there, so names outside Latin-1 print as typed."""
    return (font_dir() / REGULAR).is_file()


def has_cjk_font() -> bool:
    return (font_dir() / CJK).is_file()


@dataclass(frozen=True)
class _Loaded:
    metrics: TTFFont  # shared by every document's copy: character map, widths, glyph ids
    data: bytes  # the font file as embedded, for the fontTools font each document subsets


_loaded: dict[tuple[Path, str, object], _Loaded] = {}
_loading = threading.Lock()


Ranges = tuple[tuple[int, int], ...]  # (first, last) code points


def _load(path: Path, style: str, *, cut: Ranges | None) -> _Loaded:
    """The font read once per process, cut to the given characters or whole, without unembedded tables."""
    key = (path, style, cut)
    with _loading:
        if key not in _loaded:
            font = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
            if cut:
                options = subset.Options(glyph_names=True, notdef_outline=True, recommended_glyphs=True)
                options.drop_tables += UNUSED_TABLES
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=[c for first, last in cut for c in range(first, last + 1)])
                subsetter.subset(font)
            else:
                for tag in UNUSED_TABLES:
                    if tag in font:
                        del font[tag]
            buffer = io.BytesIO()
            font.save(buffer)
            font.close()
            data = buffer.getvalue()
            # fpdf2's own reading of the font (what add_font does), on the bytes rather than a file.
            metrics = TTFFont(FPDF(), io.BytesIO(data), "loaded", style)  # type: ignore[arg-type]
            metrics.close()
            metrics.ttffile = path
            _loaded[key] = _Loaded(metrics=metrics, data=data)
        return _loaded[key]


def _add_font(pdf: FPDF, family: str, style: str, path: Path, *, cut: Ranges | None = None) -> TTFFont:
    """Register the font as `add_font` would, from what this process has already read."""
    loaded = _load(path, style, cut=cut)
    font = copy.copy(loaded.metrics)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family}{style}"
    # What output() changes: the fontTools font (subset in place), the descriptor, the glyphs used.
    font.ttfont = ttLib.TTFont(io.BytesIO(loaded.data), recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(loaded.metrics.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    return font


def core_text(text: str) -> str:
    """What the core fonts print (Windows-1252): accents dropped where that helps (Ŝ to S), else '?'."""
    shown = []
    for char in text:
        try:
            char.encode(CORE_ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)[:1]
            char = base if base.isascii() and base.isalpha() else "?"
        shown.append(char)
    return "".join(shown)


class NeedsUnicode(Exception):
    """A document begun in the core font met a character outside Windows-1252 (`draw` starts again)."""


def _core_printable(text: str) -> bool:
    try:
        text.encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class Document:
    """One PDF: pages, a style (size and weight) and the few ways our documents set text."""

    def __init__(
        self,
        *,
        page_format: str | tuple[float, float] = "A4",
        bottom_margin: float | None = 15,
        compress: bool = True,
        core_until_needed: bool = False,
    ) -> None:
        """`bottom_margin` None: no automatic page break (the caller lays out each page).
        `core_until_needed`: set in Helvetica, raising NeedsUnicode at the first character it lacks
        (use `draw`, which starts again in DejaVu)."""
        self.pdf = FPDF(format=page_format)
        self.pdf.set_compression(compress)
        self.pdf.set_auto_page_break(bottom_margin is not None, margin=bottom_margin or 0)
        self._fonts = font_dir()
        self.unicode = (self._fonts / REGULAR).is_file()
        self._strict_core = core_until_needed and self.unicode
        self._cmap: dict[int, str] = {}  # the characters the document's own font has
        self._fallbacks: list[str] = []
        if self._strict_core:
            self.unicode = False
            self.pdf.core_fonts_encoding = CORE_ENCODING
        elif self.unicode:
            self._cmap = _add_font(self.pdf, FAMILY, "", self._fonts / REGULAR, cut=NAME_SCRIPTS).cmap
        else:
            self.pdf.core_fonts_encoding = CORE_ENCODING
            logger.warning(
                "No DejaVu Sans under %s (Debian: fonts-dejavu-core): PDFs use Helvetica, "
                "and characters outside Windows-1252 lose their accents or print as '?'",
                self._fonts,
            )
        self.family = FAMILY if self.unicode else CORE_FAMILY

    # --- pages and style ---------------------------------------------------------------------------

    def add_page(self) -> None:
        self.pdf.add_page()

    def style(self, size: float, *, bold: bool = False) -> None:
        style = "B" if bold else ""
        if self.unicode and bold and f"{FAMILY}B" not in self.pdf.fonts:
            bold_file = self._fonts / BOLD
            bold_path = bold_file if bold_file.is_file() else self._fonts / REGULAR
            _add_font(self.pdf, FAMILY, "B", bold_path, cut=NAME_SCRIPTS)
        self.pdf.set_font(self.family, style, size)

    def printable(self, value: object) -> str:
        """The text as it will print; it brings in a fallback font the first time a character needs one."""
        text = str(value or "")
        if self._strict_core and not _core_printable(text):
            raise NeedsUnicode(text)
        if not self.unicode:
            return core_text(text)
        cmap = self._current_cmap()
        missing = {char for char in text if ord(char) not in cmap}
        if missing:
            self._add_fallbacks(missing)
        return text

    def _add_fallbacks(self, missing: set[str]) -> None:
        """Whole DejaVu, then Droid's blocks, each added once and only if it has a character still missing."""
        candidates: list[tuple[str, Path, Ranges | None]] = [(WHOLE_FAMILY, self._fonts / REGULAR, None)]
        for block in sorted({ord(char) // CJK_BLOCK for char in missing}):
            first = block * CJK_BLOCK
            candidates.append((f"{CJK_FAMILY}{block}", self._fonts / CJK, ((first, first + CJK_BLOCK - 1),)))
        for family, path, cut in candidates:
            if not (missing and path.is_file()):
                continue
            cmap = _load(path, "", cut=cut).metrics.cmap
            if family not in self._fallbacks and any(ord(char) in cmap for char in missing):
                _add_font(self.pdf, family, "", path, cut=cut)
                self._fallbacks.append(family)
                self.pdf.set_fallback_fonts(self._fallbacks, exact_match=False)
            if family in self._fallbacks:
                missing = {char for char in missing if ord(char) not in cmap}

    def _current_cmap(self) -> dict[int, str]:
        font = self.pdf.current_font
        return font.cmap if isinstance(font, TTFFont) else self._cmap

    def _in_font(self, text: str) -> bool:
        if not self.unicode:
            return True
        cmap = self._current_cmap()
        return all(ord(char) in cmap for char in text)

    def _width(self, text: str) -> float:
        """FPDF.get_string_width for text the current font has (`_in_font`): the sum of its characters'
        widths. fpdf2 first splits the text into styled fragments, copying the graphics state for each,
        which cost an invoice more than drawing it (we set no stretching or character spacing)."""
        pdf = self.pdf
        if pdf.current_font is None:  # no style set yet: fpdf2 says so
            return pdf.get_string_width(text)
        return pdf.current_font.get_text_width(pdf.normalize_text(text), pdf.font_size_pt, None)[1] / pdf.k

    # --- text ----------------------------------------------------------------------------------------

    def row(self, height: float, cells: Iterable[Cell]) -> float:
        """One table row from the left margin, each cell's text wrapped to its column; returns its top.

        A row of one line is `height` tall; each further line of a wrapped cell adds the font's leading.
        """
        pdf = self.pdf
        placed: list[tuple[float, float, list[str], Align]] = []
        x = pdf.l_margin
        for width, value, align in cells:
            room = width or pdf.l_margin + pdf.epw - x
            placed.append((x, room, self._lines(self.printable(value), room, height), align))
            x += room
        leading = LEADING * pdf.font_size
        extra = (max((len(lines) for _, _, lines, _ in placed), default=1) or 1) - 1
        if pdf.will_page_break(height + extra * leading):
            pdf.add_page()
        top = pdf.get_y()
        for left, width, lines, align in placed:
            for index, line in enumerate(lines):
                self._put(left, top + index * leading, width, height, line, align)
        pdf.set_y(top + height + extra * leading)
        return top

    def line(self, height: float, text: object, *, align: Align = "L") -> float:
        """One line across the page (wrapped if it is wider); returns where its top was."""
        return self.row(height, ((0, str(text or ""), align),))

    def paragraph(self, height: float, lines: Iterable[object]) -> None:
        """The given lines, empty ones left out, each wrapped to the page and split at its line breaks."""
        for given in filter(None, lines):
            for text in str(given).splitlines():
                self.line(height, text)

    def wrapped(self, height: float, text: object) -> None:
        """A block of text across the page, wrapped at word boundaries, ragged right; its line breaks kept."""
        pdf = self.pdf
        text = self.printable(text)
        room = pdf.w - pdf.r_margin - pdf.x - 2 * pdf.c_margin
        lines = self._words_in_lines(text, room) if self._in_font(text) else None
        if lines is None:  # another font for some characters, or a word wider than the page
            pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
            return
        # Where multi_cell would put each line, without its line breaking (which measures the text again
        # for every character it adds: most of an invoice's or a ticket's cost).
        for line in lines:
            if pdf.will_page_break(height):
                pdf.add_page()
            left, top = pdf.get_x(), pdf.get_y()
            if line:
                self._put(left, top, pdf.w - pdf.r_margin - left, height, line, "L")
            pdf.set_xy(pdf.l_margin, top + height)

    def _words_in_lines(self, text: str, room: float) -> list[str] | None:
        """Each line of `text` filled with as many words as fit in `room`; None if one word alone does not."""
        space = self._width(" ")
        lines = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                width = self._width(word)
                if width > room:
                    return None
                if line and used + space + width > room:
                    lines.append(line)
                    line, used = word, width
                elif line:
                    line, used = f"{line} {word}", used + space + width
                else:
                    line, used = word, width
            lines.append(line)
        return lines

    def _lines(self, text: str, width: float, height: float) -> list[str]:
        if not text:
            return []
        room = width - 2 * self.pdf.c_margin
        if self._in_font(text) and self._width(text) <= room:
            return [text]
        lines = self.pdf.multi_cell(width, height, text, dry_run=True, output=MethodReturnValue.LINES)
        if not isinstance(lines, list):  # LINES gives a list
            return [text]
        if not self.unicode:
            # With a core font fpdf2 hands the lines back already encoded (Windows-1252 bytes read as
            # Latin-1: an en dash comes back as U+0096); decode them, or drawing them encodes twice.
            return [str(line).encode("latin-1").decode(CORE_ENCODING) for line in lines]
        return [str(line) for line in lines]

    def _put(self, left: float, top: float, width: float, height: float, text: str, align: Align) -> None:
        pdf = self.pdf
        if not self._in_font(text):  # a cell draws each character in the font that has it
            pdf.set_xy(left, top)
            pdf.cell(width, height, text, align=align)
            return
        # FPDF.cell's placement: the padding inside the cell, the text centred on its height.
        baseline = top + 0.5 * height + 0.3 * pdf.font_size
        if align == "R":
            x = left + width - pdf.c_margin - self._width(text)
        else:
            x = left + pdf.c_margin
        pdf.text(x, baseline, text)

    # --- the rest ----------------------------------------------------------------------------------

    def gap(self, height: float) -> None:
        self.pdf.ln(height)

    def rule(self, y: float, width: float) -> None:
        self.pdf.line(self.pdf.l_margin, y, self.pdf.l_margin + width, y)

    def colour(self, red: int, green: int, blue: int) -> None:
        self.pdf.set_text_color(red, green, blue)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def draw(drawing: Callable[[Document], None], **options) -> bytes:
    """The PDF `drawing` makes on a Document: in the core font when every character allows it (nothing
    to embed), else again from the start in DejaVu with its fallbacks. `options` go to Document."""
    if has_unicode_font():
        core = Document(core_until_needed=True, **options)
        try:
            drawing(core)
            return core.output()
        except NeedsUnicode:
            pass
    document = Document(**options)
    drawing(document)
    return document.output()
