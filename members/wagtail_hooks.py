"""Admin screens for tiers, organisations and memberships (staff edit them in /admin/)."""

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from members.models import Membership, MembershipTier, Organization


class MembershipTierViewSet(SnippetViewSet):
    model = MembershipTier
    icon = "pick"
    menu_label = "Tiers"
    list_display = ["name", "rank", "annual_fee", "currency", "seat_limit", "board_seat"]
    ordering = ["rank"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug"), FieldPanel("rank")]),
        FieldRowPanel([FieldPanel("annual_fee"), FieldPanel("currency")]),
        FieldPanel("description"),
        FieldPanel("benefits"),
        FieldRowPanel([FieldPanel("seat_limit"), FieldPanel("board_seat")]),
    ]


class OrganizationViewSet(SnippetViewSet):
    model = Organization
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "country", "industry", "website"]
    list_filter = ["industry"]
    search_fields = ["name", "slug", "country"]
    ordering = ["name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("logo"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("country"), FieldPanel("industry")]),
    ]


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "date"
    menu_label = "Memberships"
    list_display = ["organization", "tier", "status", "starts", "ends"]
    list_filter = ["status", "tier"]
    ordering = ["-starts"]
    panels = [
        FieldPanel("organization"),
        FieldPanel("tier"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]), FieldPanel("status")], heading="Period"
        ),
    ]


class MembershipGroup(SnippetViewSetGroup):
    menu_label = "Membership"
    menu_icon = "group"
    menu_order = 200
    items = (MembershipTierViewSet, OrganizationViewSet, MembershipViewSet)


register_snippet(MembershipGroup)
