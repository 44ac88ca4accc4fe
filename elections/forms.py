"""The ballot paper as a plain HTML form (no JavaScript): read the posted fields into a ballot's content;
the nomination and acceptance forms."""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from elections.models import Candidate, Election
from elections.tabulation import InvalidBallot


def _whole(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidBallot(f"{what} must be a whole number.", code="bad_value") from None


def ballot_from_post(election: Election, paper: Sequence[Candidate], data: Mapping[str, Any]) -> Any:
    """The ballot's content in the method's shape; the service validates it by the counting rules."""
    method = election.method
    if method == Election.Method.APPROVAL:
        return list(data.getlist("approve")) if hasattr(data, "getlist") else list(data.get("approve", []))
    if method in (Election.Method.STAR, Election.Method.BLOC_STAR):
        return {c.slug: _whole(data.get(f"score-{c.slug}") or "0", f"The score for {c.name}") for c in paper}
    if method == Election.Method.CUMULATIVE:
        given = {c.slug: _whole(data.get(f"votes-{c.slug}") or "0", f"The votes for {c.name}") for c in paper}
        return {slug: n for slug, n in given.items() if n}
    if method == Election.Method.SCHULZE:
        ranks: dict[int, list[str]] = {}
        for c in paper:
            value = (data.get(f"rank-{c.slug}") or "").strip()
            if value:
                ranks.setdefault(_whole(value, f"The rank for {c.name}"), []).append(c.slug)
        return [group[0] if len(group) == 1 else group for _, group in sorted(ranks.items())]
    raise ValueError(f"Unknown voting method {method!r}")


class NominationForm(forms.Form):
    nominee = forms.TypedChoiceField(label="Person to nominate", coerce=int)

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [("", "Choose a person"), *choices]


class AcceptanceForm(forms.Form):
    """The candidate's statement and one answer per question the election asks."""

    statement = forms.CharField(
        label="Your statement",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Shown on your public candidate page and beside your name on the election's page.",
    )

    def __init__(self, *args: Any, questions: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for n, question in enumerate(self.questions):
            self.fields[f"answer_{n}"] = forms.CharField(
                label=question, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{n}"] for n in range(len(self.questions))]


class StaffCandidateForm(forms.Form):
    """Staff put a person on the ballot by their account's e-mail address."""

    email = forms.EmailField(label="E-mail address of the person's account")
    name = forms.CharField(label="Name on the ballot", max_length=200, required=False, help_text="Their name if empty.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = data.get("email")
        if email:
            person = get_user_model().objects.filter(email__iexact=email).first()
            if person is None:
                self.add_error("email", "No account has this e-mail address.")
            data["person"] = person
        return data


class QuestionsField(forms.CharField):
    """The election's questions to candidates, one a line in the admin, a list of strings in the database."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]
