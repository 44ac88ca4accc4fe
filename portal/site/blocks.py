"""StreamField blocks for the site's pages; each renders with its template in templates/blocks/."""

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock as WagtailTableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Level 2"), ("h3", "Level 3"), ("h4", "Level 4")], default="h2")

    class Meta:
        icon = "title"
        template = "blocks/heading.html"


class CaptionedImageBlock(blocks.StructBlock):
    # Wagtail's ImageBlock asks for alt text unless the editor marks the image decorative.
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class LinkBlock(blocks.StructBlock):
    """A link to a page of the site or to another address; the page wins when both are set."""

    label = blocks.CharBlock(max_length=80)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.CharBlock(required=False, max_length=300, help_text="An address, e.g. /join/apply/ or https://…")

    class Meta:
        icon = "link"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                {"url": blocks.BlockValidationError("Choose a page or give an address.")}
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link = LinkBlock()

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action.html"


class SavedCallToActionBlock(SnippetChooserBlock):
    """A reusable call to action, edited once as a snippet and placed on many pages."""

    def __init__(self, **kwargs):
        super().__init__("portal.CallToAction", template="blocks/saved_call_to_action.html", **kwargs)


class TableBlock(WagtailTableBlock):
    class Meta:
        template = "blocks/table.html"


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock()


class FeatureGridBlock(blocks.StructBlock):
    """A heading over a grid of short points, e.g. "Why open infrastructure"."""

    heading = blocks.CharBlock(max_length=200)
    intro = blocks.TextBlock(required=False)
    features = blocks.ListBlock(FeatureBlock())

    class Meta:
        icon = "list-ul"
        template = "blocks/feature_grid.html"


class StatBlock(blocks.StructBlock):
    value = blocks.CharBlock(max_length=40)
    label = blocks.CharBlock(max_length=120)


class StatsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=200, required=False)
    stats = blocks.ListBlock(StatBlock())

    class Meta:
        icon = "order"
        template = "blocks/stats.html"


class BodyBlock(blocks.StreamBlock):
    """The body of a standard page or a news item."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"], template="blocks/paragraph.html"
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    saved_call_to_action = SavedCallToActionBlock()
    table = TableBlock()
    embed = EmbedBlock(template="blocks/embed.html")
    features = FeatureGridBlock()
    stats = StatsBlock()
