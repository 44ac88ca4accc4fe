"""The finance screens in the Wagtail admin, and their menu item for the Finance group."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.core.tax import TaxRate, TaxRule
from portal.payments import finance_views as views
from portal.payments.selectors import user_is_finance

finance_urls = (
    [
        path("payments/", views.payments, name="payments"),
        path("payments/reconcile/", views.reconcile, name="reconcile"),
        path("payments/<int:pk>/", views.payment_detail, name="payment"),
        path("payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
        path("payments/<int:pk>/received/", views.payment_mark_received, name="payment_mark_received"),
        path("payments/<int:pk>/sync/", views.payment_sync, name="payment_sync"),
        path("payments/<int:pk>/accept-short/", views.payment_accept_short, name="payment_accept_short"),
        path("payments/<int:pk>/held/", views.payment_held_decide, name="payment_held_decide"),
        path("returns/", views.payer_returns, name="payer_returns"),
        path("returns/<int:pk>/done/", views.payer_return_done, name="payer_return_done"),
        path("invoices/", views.invoices, name="invoices"),
        path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
        path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
        path("invoices/<int:pk>/void/", views.invoice_void, name="invoice_void"),
        path("invoices/<int:pk>/credit/", views.invoice_credit, name="invoice_credit"),
        path("invoices/<int:pk>/pdf/", views.invoice_download, name="invoice_pdf"),
        path("export/<str:kind>.csv", views.export, name="export"),
    ],
    "payments_finance",
)


@hooks.register("register_admin_urls")
def register_finance_urls():
    return [path("finance/", include(finance_urls))]


class FinanceMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_finance(request.user)


@hooks.register("register_admin_menu_item")
def register_finance_menu_item():
    return FinanceMenuItem("Finance", reverse("payments_finance:payments"), icon_name="table", order=900)


class TaxRuleViewSet(SnippetViewSet):
    model = TaxRule
    icon = "list-ul"
    menu_label = "Tax rules"
    list_display = ["name", "kind", "mode", "country", "prices_include_tax", "is_default"]
    list_filter = ["kind", "mode"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("mode")]),
        FieldRowPanel([FieldPanel("country"), FieldPanel("prices_include_tax"), FieldPanel("is_default")]),
    ]


class TaxRateViewSet(SnippetViewSet):
    model = TaxRate
    icon = "table"
    menu_label = "VAT rates"
    list_display = ["country", "rate", "valid_from", "name"]
    list_filter = ["country"]
    panels = [FieldRowPanel([FieldPanel("country"), FieldPanel("rate"), FieldPanel("valid_from")]), FieldPanel("name")]


class TaxViewSetGroup(SnippetViewSetGroup):
    items = (TaxRuleViewSet, TaxRateViewSet)
    menu_icon = "table"
    menu_label = "Tax"
    menu_name = "tax"
    menu_order = 901


register_snippet(TaxViewSetGroup)
