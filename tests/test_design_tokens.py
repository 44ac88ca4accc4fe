"""WCAG AA contrast for the design system's colour pairs, read from static/css/site.css itself."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text()
TOKENS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))
WHITE = "#ffffff"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text 4.5:1, large text and UI component borders 3:1.
PAIRS = [
    ("ink", "paper", 4.5),
    ("ink", "wash", 4.5),
    ("muted", "paper", 4.5),
    ("muted", "wash", 4.5),
    ("brand-dark", "paper", 4.5),  # links
    ("brand-dark", "brand-tint", 4.5),  # current item in the account nav, secondary button hover
    ("brand", "paper", 4.5),
    ("control", "paper", 3.0),  # input borders
    ("focus", "paper", 3.0),  # focus ring
    ("success-ink", "success-bg", 4.5),
    ("warning-ink", "warning-bg", 4.5),
    ("danger-ink", "danger-bg", 4.5),
    ("danger-ink", "paper", 4.5),
    ("info-ink", "info-bg", 4.5),
    ("neutral-ink", "neutral-bg", 4.5),
    ("ink", "success-bg", 4.5),  # message text
    ("ink", "danger-bg", 4.5),
    ("ink", "warning-bg", 4.5),
    ("ink", "info-bg", 4.5),
]


@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS, ids=[f"{fg}-on-{bg}" for fg, bg, _ in PAIRS])
def test_colour_pairs_meet_wcag_aa(fg, bg, minimum):
    assert contrast(TOKENS[fg], TOKENS[bg]) >= minimum


@pytest.mark.parametrize("background", ["brand", "brand-dark", "night", "danger-ink"])
def test_white_text_on_filled_surfaces_meets_wcag_aa(background):
    # Buttons, the brand mark, the footer.
    assert contrast(WHITE, TOKENS[background]) >= 4.5


def test_no_inline_style_is_needed_the_stylesheet_has_the_whole_vocabulary():
    vocabulary = """container section stack grid cards card card__title card__body card__meta hero hero__lead lead
    muted breadcrumbs split btn btn--secondary btn--small badge badge--success badge--warning badge--danger
    badge--info badge--neutral tag table table-wrap logo-grid logo-grid__item stat stat__value stat__label
    message message--success message--error message--warning message--info form field field__help errorlist
    field--error form__actions skip-link""".split()
    missing = [name for name in vocabulary if not re.search(rf"\.{re.escape(name)}(?![\w-])", CSS)]
    assert missing == []
