"""The elections' public pages and the ballot: parse input, fetch, call one service, render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from elections import selectors, services
from elections.exceptions import ApplicationError
from elections.forms import AcceptanceForm, NominationForm, ballot_from_post
from elections.models import Candidate, Election
from elections.tabulation import MAX_SCORE
from portal.core.csv_writer import csv_lines


@require_GET
def election_list(request):
    return render(request, "elections/election_list.html", {"elections": selectors.elections_listed()})


@require_GET
def election_detail(request, slug: str):
    """The election's periods, candidates and statements, and its results once certified."""
    election = get_object_or_404(Election, slug=slug)
    results = selectors.certified_results(election)
    context = {
        "election": election,
        "candidates": selectors.candidates_for_page(election),
        "results": _results_for_page(results) if results else None,
        "voting_open": election.is_voting_open(),
        "nominating": election.is_nominating(),
        "invitation": selectors.invitation_for(request.user, election) if election.is_accepting() else None,
    }
    return render(request, "elections/election_detail.html", context)


@require_GET
def candidate_detail(request, slug: str, candidate: str):
    """A candidate's public page: their statement and their answers to the election's questions."""
    election = get_object_or_404(Election, slug=slug)
    try:
        standing = selectors.candidate_for_page(election, candidate)
    except Candidate.DoesNotExist:
        raise Http404("No such candidate.") from None
    answers = list(standing.answers or [])
    questions = [(q, answers[n] if n < len(answers) else "") for n, q in enumerate(election.questions or [])]
    return render(
        request,
        "elections/candidate_detail.html",
        {"election": election, "candidate": standing, "questions": questions},
    )


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request, slug: str):
    """Whoever may vote nominates the people they would like to see stand, one at a time."""
    election = get_object_or_404(Election, slug=slug)
    choices = selectors.nominee_choices(election)
    form = NominationForm(request.POST or None, choices=choices)
    context = {
        "election": election,
        "form": form,
        "open": election.is_nominating(),
        "eligible": selectors.may_nominate(request.user, election),
    }
    if request.method == "POST" and context["open"] and context["eligible"] and form.is_valid():
        nominee = get_object_or_404(get_user_model(), pk=form.cleaned_data["nominee"])
        try:
            services.nomination_create(election=election, nominator=request.user, nominee=nominee)
        except ApplicationError as error:
            form.add_error("nominee", error.message)
        else:
            messages.success(request, f"You nominated {dict(choices)[nominee.pk]}.")
            return redirect("elections:nominate", slug=election.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "elections/nominate.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def stand(request, slug: str):
    """A nominee asked to stand accepts, with a statement and answers to the election's questions."""
    election = get_object_or_404(Election, slug=slug)
    candidacy = selectors.invitation_for(request.user, election)
    questions = list(election.questions or [])
    form = None
    if candidacy is not None:
        answers = list(candidacy.answers or [])
        initial = {"statement": candidacy.statement}
        initial.update({f"answer_{n}": a for n, a in enumerate(answers[: len(questions)])})
        form = AcceptanceForm(request.POST or None, questions=questions, initial=initial)
    context = {"election": election, "candidacy": candidacy, "form": form, "open": election.is_accepting()}
    if request.method == "POST" and form is not None and context["open"]:
        if form.is_valid():
            try:
                services.candidate_accept(
                    candidate=candidacy,
                    user=request.user,
                    statement=form.cleaned_data["statement"],
                    answers=form.answers(),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"You stand in {election.title}. This is your candidate page.")
                return redirect("elections:candidate", slug=election.slug, candidate=candidacy.slug)
        return render(request, "elections/stand.html", context, status=400)
    return render(request, "elections/stand.html", context)


def _results_for_page(results: dict) -> dict:
    """The stored count with candidate ids turned into names, ready for the template's tables."""
    names = results["names"]
    tab = results["tabulation"]

    def name(slug: str) -> str:
        return names.get(slug, slug)

    page = {
        "method": tab["method"],
        "winners": [name(w) for w in tab["winners"]],
        "turnout": results["turnout"],
        "ballots_counted": tab["ballots_counted"],
        "tie_rule": tab["tie_rule"],
        "tie_order": [name(c) for c in tab["tie_order"]],
        "tie_breaks": [
            {**t, "tied": [name(c) for c in t["tied"]], "chosen": [name(c) for c in t["chosen"]]}
            for t in tab["tie_breaks"]
        ],
    }
    tally = tab.get("approvals") or tab.get("votes")
    if tally:
        page["tally"] = sorted(((name(c), n) for c, n in tally.items()), key=lambda row: -row[1])
    if "rounds" in tab and tab["method"] in ("star", "bloc_star"):
        page["star_rounds"] = [
            {
                "seat": r["seat"],
                "scores": sorted(((name(c), n) for c, n in r["scores"].items()), key=lambda row: -row[1]),
                "runoff": [(name(c), n) for c, n in r["runoff"].items()],
                "no_preference": r["no_preference"],
                "elected": name(r["elected"]),
            }
            for r in tab["rounds"]
        ]
    if tab["method"] == "schulze":
        order = tab["candidates"]
        page["matrix_header"] = [name(c) for c in order]
        page["pairwise"] = [(name(x), [tab["pairwise"][x].get(y, "—") for y in order]) for x in order]
        page["paths"] = [(name(x), [tab["strongest_paths"][x].get(y, "—") for y in order]) for x in order]
        page["ranking"] = [", ".join(name(c) for c in place) for place in tab["ranking"]]
    return page


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def vote(request, slug: str):
    """The ballot paper; a posted ballot is cast and its receipt shown once, here and nowhere else."""
    election = get_object_or_404(Election, slug=slug)
    paper = list(selectors.ballot_paper(election))
    organizations = list(selectors.organizations_voting_through(request.user, election))
    context = {
        "election": election,
        "paper": paper,
        "organizations": organizations,
        "scores": range(MAX_SCORE + 1),
        "ranks": range(1, len(paper) + 1),
        "open": election.is_voting_open(),
        "chosen": request.GET.get("organization", ""),
        "eligible": selectors.may_nominate(request.user, election),
        "already": election.electorate == Election.Electorate.INDIVIDUALS
        and selectors.has_voted(election, user=request.user),
    }
    if request.method == "POST":
        organization = None
        if election.electorate == Election.Electorate.ORGANIZATIONS:
            chosen = request.POST.get("organization", "")
            organization = next((o for o in organizations if str(o.pk) == chosen), None)
        try:
            content = ballot_from_post(election, paper, request.POST)
            receipt = services.ballot_cast(
                election=election, user=request.user, content=content, organization=organization
            )
        except ApplicationError as error:
            context["error"] = error.message
            return render(request, "elections/vote.html", context, status=400)
        return render(request, "elections/voted.html", {"election": election, "receipt": receipt})
    return render(request, "elections/vote.html", context)


def _published(slug: str) -> Election:
    election = get_object_or_404(Election, slug=slug)
    if selectors.certified_results(election) is None:
        raise Http404("The ballots are published once the results are certified.")
    return election


@require_GET
def ballots_json(request, slug: str):
    """Every ballot's content, sorted by content: what a recount needs, and nothing else."""
    election = _published(slug)
    return JsonResponse(
        {"election": election.slug, "method": election.method, "ballots": selectors.published_ballots(election)}
    )


@require_GET
def ballots_csv(request, slug: str):
    """One row per ballot, one column per candidate (score, votes, rank or approval)."""
    election = _published(slug)
    names = election.results["names"]
    # Ballot-paper order, from the count's list: a JSON object's keys come back sorted on PostgreSQL.
    slugs = list(election.results["tabulation"]["candidates"])
    rows = []
    for content in selectors.published_ballots(election):
        if isinstance(content, dict):
            rows.append([content.get(s, 0) for s in slugs])
        elif election.method == Election.Method.SCHULZE:
            rank = {}
            for place, entry in enumerate(content, start=1):
                for s in [entry] if isinstance(entry, str) else entry:
                    rank[s] = place
            rows.append([rank.get(s, "") for s in slugs])
        else:
            rows.append([1 if s in content else 0 for s in slugs])
    response = HttpResponse("".join(csv_lines([names[s] for s in slugs], rows)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{election.slug}-ballots.csv"'
    return response


@require_GET
def receipts(request, slug: str):
    """The receipt codes, sorted, one a line: a voter checks that theirs is there."""
    election = _published(slug)
    return HttpResponse("\n".join(selectors.published_receipts(election)) + "\n", content_type="text/plain")
