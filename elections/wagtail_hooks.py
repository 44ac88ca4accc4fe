"""Staff screens: elections are defined and changed through the services (frozen once voting opens,
every change audited); closing, counting and certifying have their own page, and so do each election's
candidates. Staff see turnout, never ballots
joined to voters: no screen lists voter records or ballots."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from elections import selectors, services
from elections.exceptions import ApplicationError
from elections.forms import QuestionsField, StaffCandidateForm
from elections.models import Candidate, Election
from portal.core.admin_menu import register_permission_menu_item
from portal.core.outcome import carry_out

FORM_FIELDS = [
    "title",
    "slug",
    *Election.RULE_FIELDS,
    "tiers",
    "nominations_required",
    "questions",
    *Election.PERIOD_FIELDS,
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

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "questions":
            return QuestionsField(
                label="Questions to candidates", required=False, help_text="One a line; every candidate answers each."
            )
        return super().formfield_for_dbfield(db_field, **kwargs)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ElectionViewSet("election_admin")


ACTIONS = {
    "close": services.election_close,
    "count": services.election_count,
    "certify": services.election_certify,
}


@permission_required("elections.change_election", raise_exception=True)
@require_http_methods(["GET", "POST"])
def results(request):
    """Turnout for every election; close voting (early if need be) and count, then certify to publish."""
    if request.method == "POST":
        election = get_object_or_404(Election, pk=request.POST.get("election"))
        name = request.POST.get("action")
        if name not in ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        if name == "certify" and not request.user.has_perm("elections.certify_election"):
            raise PermissionDenied("Certifying results needs the certify permission.")
        carry_out(
            request,
            lambda: ACTIONS[name](election=election, actor=request.user),
            done=f"{election.title}: {DONE[name]}.",
        )
        return redirect("elections_results")
    context = {
        "rows": selectors.elections_for_staff(),
        "may_certify": request.user.has_perm("elections.certify_election"),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "elections/admin/results.html", context)


DONE = {"close": "voting closed and ballots counted", "count": "ballots counted", "certify": "results certified"}


@permission_required("elections.change_election", raise_exception=True)
@require_http_methods(["GET", "POST"])
def candidates(request, pk: int):
    """An election's candidacies: staff add a person or withdraw a candidate until voting opens."""
    election = get_object_or_404(Election, pk=pk)
    form = StaffCandidateForm(request.POST or None)
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                candidacy = get_object_or_404(Candidate, pk=request.POST["withdraw"], election=election)
                services.candidate_withdraw(candidate=candidacy, actor=request.user)
                messages.success(request, f"{candidacy.name} withdrawn.")
                return redirect("elections_candidates", pk=election.pk)
            if form.is_valid():
                added = services.candidate_add(
                    election=election,
                    user=form.cleaned_data["person"],
                    name=form.cleaned_data["name"],
                    actor=request.user,
                )
                messages.success(request, f"{added.name} added to the ballot.")
                return redirect("elections_candidates", pk=election.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    context = {
        "election": election,
        "candidacies": selectors.candidates_for_staff(election),
        "frozen": election.is_frozen(),
        "form": form,
    }
    return TemplateResponse(request, "elections/admin/candidates.html", context)


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("elections-results/", results, name="elections_results"),
        path("elections-candidates/<int:pk>/", candidates, name="elections_candidates"),
    ]


register_permission_menu_item(
    "Election results", "elections_results", icon_name="tasks", order=320, permission="elections.change_election"
)
