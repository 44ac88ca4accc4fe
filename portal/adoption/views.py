"""The survey form at /adoption/survey/ (the figures live on the AdoptionPage)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.adoption import selectors, services
from portal.adoption.forms import SurveyForm
from portal.core.exceptions import ApplicationError
from portal.core.ratelimit import rate_limit


@login_required
@require_http_methods(["GET", "POST"])
@rate_limit("survey", "5/m")
def survey(request):
    """Signed-in people answer the open edition once; the answer waits for moderation."""
    edition = selectors.open_edition()
    existing = selectors.response_for_user(request.user, edition) if edition else None
    if edition is None or existing is not None:
        return render(request, "adoption/survey.html", {"edition": edition, "existing": existing, "form": None})

    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(edition=edition, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Your answers will count once our staff have reviewed them.")
            return redirect("adoption-survey")
    status = 400 if request.method == "POST" else 200
    return render(request, "adoption/survey.html", {"edition": edition, "form": form}, status=status)
