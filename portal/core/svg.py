"""An uploaded SVG is kept only if everything in it is on an allowlist of things that can neither run nor fetch.

    from portal.core.svg import check_svg
    check_svg(data)          # None, or a ValidationError whose message names what was refused

The file is parsed with defusedxml through a tree builder that also sees processing instructions
(`<?xml-stylesheet …?>`, which ElementTree would silently drop); a DOCTYPE, entity declaration or
processing instruction is refused. Then every element must be a known drawing element in the SVG
namespace (or an inert editor namespace such as Inkscape's), every attribute a known presentation,
geometry or accessibility attribute, `href` may only point at `#an-id` in the same file, and every
attribute value and `<style>` sheet must pass the CSS checks *after* CSS escapes (`u\\72 l(`) are
decoded: `url(…)` only as `url(#id)`, and no `@import`, `image-set(`, `expression(`, `javascript:`.
Numeric character references (`&#117;`) are decoded by the parser before the checks see the text.
"""

import re
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Editors' bookkeeping (Inkscape, Sodipodi, RDF metadata): browsers neither render nor fetch it.
INERT_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
}

ELEMENTS = frozenset(
    """svg g path rect circle ellipse line polyline polygon text tspan textPath defs linearGradient
    radialGradient stop clipPath mask pattern marker use symbol title desc metadata style switch
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
    feSpotLight feTile feTurbulence""".split()
)
# Refused with a reason a person can act on; anything else outside ELEMENTS gets the generic refusal.
NAMED_REFUSALS = {
    "script": "a script",
    "foreignObject": "a foreignObject element (it can hold HTML)",
    "image": "an image element (embed the drawing itself, not a picture)",
    "feImage": "an feImage filter (it loads a picture)",
    "a": "a link",
    "iframe": "an iframe",
    "embed": "an embed element",
    "object": "an object element",
    "handler": "an event handler element",
    "listener": "an event listener element",
    "set": "an animation (it can rewrite links)",
    "animate": "an animation (it can rewrite links)",
    "animateMotion": "an animation (it can rewrite links)",
    "animateTransform": "an animation (it can rewrite links)",
    "discard": "an animation element",
    "font-face": "a font-face element (it can load fonts)",
    "font-face-uri": "a font-face element (it can load fonts)",
}
ATTRIBUTES = frozenset(
    """id class style lang tabindex role focusable viewBox preserveAspectRatio version baseProfile
    x y x1 y1 x2 y2 cx cy r rx ry fx fy fr dx dy width height d points pathLength transform rotate
    textLength lengthAdjust startOffset method spacing side offset gradientUnits gradientTransform
    spreadMethod clipPathUnits maskUnits maskContentUnits patternUnits patternContentUnits
    patternTransform markerWidth markerHeight markerUnits refX refY orient
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset stroke-opacity opacity color clip-path clip-rule mask display
    visibility overflow font font-family font-size font-size-adjust font-weight font-style
    font-variant font-stretch font-kerning text-anchor text-decoration letter-spacing word-spacing
    dominant-baseline alignment-baseline baseline-shift writing-mode direction unicode-bidi
    stop-color stop-opacity color-interpolation color-interpolation-filters color-rendering
    shape-rendering text-rendering image-rendering vector-effect paint-order isolation
    mix-blend-mode enable-background filter flood-color flood-opacity lighting-color marker
    marker-start marker-mid marker-end systemLanguage requiredFeatures requiredExtensions
    aria-label aria-labelledby aria-describedby aria-hidden media type
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values
    tableValues slope intercept amplitude exponent radius baseFrequency numOctaves seed stitchTiles
    scale xChannelSelector yChannelSelector edgeMode kernelMatrix order divisor bias targetX targetY
    preserveAlpha kernelUnitLength surfaceScale specularConstant specularExponent diffuseConstant
    azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z href""".split()
)
XML_ATTRIBUTES = {"space", "lang"}  # xml:base is refused: it would make "#id" point elsewhere
XLINK_ATTRIBUTES = {"href", "title"}
AT_RULES = {"media", "supports", "keyframes"}

REFUSALS = {
    "svg_malformed": "The SVG file is not well-formed XML.",
    "svg_dtd": "The SVG declares a DTD or entities, which is not allowed.",
    "svg_processing_instruction": (
        "The SVG contains a processing instruction (<?{target} …?>), which is not allowed in an uploaded image."
    ),
    "svg_not_svg": "The file is XML but not an SVG image.",
    "svg_forbidden_element": "The SVG contains {what}, which is not allowed in an uploaded image.",
    "svg_element": "The SVG contains a <{tag}> element, which is not allowed in an uploaded image.",
    "svg_foreign_element": "The SVG contains a non-SVG element ({tag}), which is not allowed.",
    "svg_event_handler": "The SVG contains an event handler attribute ({name}), which is not allowed.",
    "svg_attribute": "The SVG has an attribute {name} on <{tag}>, which is not allowed in an uploaded image.",
    "svg_external_reference": "The SVG refers to something outside the file ({target}); it must be self-contained.",
    "svg_unsafe_css": "The SVG's styles use {what}, which is not allowed in an uploaded image.",
}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(REFUSALS[code].format(**params), code=code, params=params)


class _Builder(TreeBuilder):
    """A TreeBuilder that remembers processing instructions instead of dropping them."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target, text=None):
        self.instructions.append(target)

    def comment(self, text):
        return None


def _parse(data: bytes) -> Element:
    builder = _Builder()
    parser = SafeET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as error:
        raise _refuse("svg_dtd") from error
    except SafeET.ParseError as error:
        raise _refuse("svg_malformed") from error
    if builder.instructions:
        raise _refuse("svg_processing_instruction", target=builder.instructions[0][:40])
    return root


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)


def _unescape_hex(digits: str) -> str:
    code = int(digits, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def decode_css(text: str) -> str:
    """CSS text with its escapes decoded (`\\72 ` and `\\000072` are "r", `\\(newline)` vanishes)."""

    def replace(match: re.Match) -> str:
        hex_digits, newline, other = match.groups()
        if hex_digits:
            return _unescape_hex(hex_digits)
        if newline:
            return ""
        return other or ""

    return _CSS_ESCAPE.sub(replace, text)


_URL = re.compile(r"url\(\s*(?:'([^']*)'|\"([^\"]*)\"|([^)\s]*))\s*(\)?)", re.IGNORECASE)
_LOCAL_URL = re.compile(r"#[\w.:-]+")
_FETCHING_FUNCTIONS = re.compile(
    r"(?<![\w-])((?:-\w+-)?image-set|image|cross-fade|element|src|expression)\s*\(", re.IGNORECASE
)
_AT_RULE = re.compile(r"@(-?[\w-]+)")
_JAVASCRIPT = re.compile(r"(?:java|vb)script\s*:", re.IGNORECASE)


def check_css(text: str, *, sheet: bool = False) -> None:
    """CSS (a `sheet`, a style attribute or a presentation value) fetches nothing and runs nothing."""
    decoded = decode_css(text)
    # Comments are removed too, so "u/**/rl(" cannot slip past, and checked both ways.
    for candidate in (decoded, _CSS_COMMENT.sub("", decoded)):
        squeezed = "".join(candidate.split())
        if _JAVASCRIPT.search(squeezed):
            raise _refuse("svg_unsafe_css", what="a javascript: address")
        match = _FETCHING_FUNCTIONS.search(candidate)
        if match:
            raise _refuse("svg_unsafe_css", what=f"{match.group(1).lower()}(…)")
        for at_rule in _AT_RULE.finditer(candidate):
            name = at_rule.group(1).lower()
            if name == "import" or (sheet and name not in AT_RULES):
                raise _refuse("svg_unsafe_css", what=f"@{name}")
        for url in _URL.finditer(candidate):
            target = next((group for group in url.groups()[:3] if group is not None), "").strip()
            if not url.group(4) or not _LOCAL_URL.fullmatch(target):
                raise _refuse("svg_external_reference", target=target[:80] or "url()")


def _check_attribute(tag: str, attribute: str, value: str) -> None:
    namespace, name = _split(attribute)
    if name.lower().startswith("on"):
        raise _refuse("svg_event_handler", name=name)
    if namespace == XML_NS:
        allowed = name in XML_ATTRIBUTES
        shown = f"xml:{name}"
    elif namespace == XLINK_NS:
        allowed = name in XLINK_ATTRIBUTES
        shown = f"xlink:{name}"
    elif namespace:
        allowed = namespace in INERT_NAMESPACES
        shown = f"{{{namespace}}}{name}"
    else:
        allowed = name in ATTRIBUTES or name.startswith("data-")
        shown = name
    if not allowed:
        raise _refuse("svg_attribute", name=shown, tag=tag)
    if name == "href" and namespace in ("", XLINK_NS) and not _LOCAL_URL.fullmatch(value.strip()):
        raise _refuse("svg_external_reference", target=value.strip()[:80])
    check_css(value)


def check_svg(data: bytes) -> None:
    """The SVG can neither run code nor fetch anything when shown; refuses with the reason."""
    root = _parse(data)
    if _split(root.tag) != (SVG_NS, "svg"):
        raise _refuse("svg_not_svg")
    for element in root.iter():
        namespace, tag = _split(element.tag)
        if namespace in INERT_NAMESPACES:
            for attribute, value in element.attrib.items():
                _check_attribute(tag, attribute, value)
            continue
        if tag in NAMED_REFUSALS:
            raise _refuse("svg_forbidden_element", what=NAMED_REFUSALS[tag])
        if namespace != SVG_NS:
            raise _refuse("svg_foreign_element", tag=tag)
        if tag not in ELEMENTS:
            raise _refuse("svg_element", tag=tag)
        for attribute, value in element.attrib.items():
            _check_attribute(tag, attribute, value)
        if tag == "style":
            check_css("".join(element.itertext()), sheet=True)
