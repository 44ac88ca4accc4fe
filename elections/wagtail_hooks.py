"""Staff screens: elections are defined and changed through the services (frozen once voting opens,
every change audited); counting and certifying have their own page. Staff see turnout, never ballots
joined to voters: no screen lists voter records or ballots."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from elections import selectors, services
from elections.exceptions import ApplicationError
from elections.models import Election
from portal.core.admin_menu import PermissionMenuItem

FORM_FIELDS = [
    "title",
    "slug",
    "description",
    "seats",
    "method",
    "electorate",
    "membership_days",
    "roll_date",
    "tiers",
    "nominations_required",
    "nominations_open",
    "nominations_close",
    "acceptance_closes",
    "voting_opens",
    "voting_closes",
]


class _ThroughServices:
    """Save through a service; a refused change comes back to the form as an error, not a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError as error:
            form.add_error(None, error.message)
            self.produced_error_message = error.message
            return self.form_invalid(form)


class ElectionCreateView(_ThroughServices, CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        tiers = data.pop("tiers", [])
        return services.election_create(actor=self.request.user, tiers=tiers, **data)


class ElectionEditView(_ThroughServices, EditView):
    def save_instance(self):
        return services.election_update(election=self.object, actor=self.request.user, **self.form.cleaned_data)


class ElectionViewSet(ModelViewSet):
    model = Election
    icon = "list-ol"
    add_view_class = ElectionCreateView
    edit_view_class = ElectionEditView
    list_display = ["title", "method", "seats", "voting_opens", "voting_closes", "status"]
    list_filter = ["status", "method"]
    search_fields = ["title"]
    form_fields = FORM_FIELDS
    inspect_view_enabled = False
    url_prefix = "elections"
    url_namespace = "elections_admin"  # "elections" is the public pages' namespace


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ElectionViewSet("election_admin")


@permission_required("elections.change_election", raise_exception=True)
@require_http_methods(["GET", "POST"])
def results(request):
    """Turnout for every election; count a closed one, then certify the count to publish it."""
    if request.method == "POST":
        election = get_object_or_404(Election, pk=request.POST.get("election"))
        action = services.election_count if request.POST.get("action") == "count" else services.election_certify
        try:
            action(election=election, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{election.title}: done.")
        return redirect("elections_results")
    rows = [(e, selectors.turnout(e)) for e in selectors.elections_listed()]
    return TemplateResponse(request, "elections/admin/results.html", {"rows": rows})


@hooks.register("register_admin_urls")
def register_urls():
    return [path("elections-results/", results, name="elections_results")]


@hooks.register("register_admin_menu_item")
def register_results_menu_item():
    return PermissionMenuItem(
        "Election results",
        reverse("elections_results"),
        icon_name="tasks",
        order=320,
        permission="elections.change_election",
    )
