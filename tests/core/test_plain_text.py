"""Names people type cannot hold characters that reorder or hide what staff and visitors see
(portal/core/text.py), on every form where a name is typed and on the models behind them."""

import pytest
from django.core.exceptions import ValidationError

from events.forms import OrderDetailsForm, TicketForm
from members.forms import AffiliationForm, ApplicationForm, IndividualProfileForm, WaitlistForm
from members.models import Organization
from portal.accounts.forms import ProfileForm
from portal.adoption.forms import SurveyForm
from portal.core.text import validate_plain_text
from tests.members.factories import application_data

RLO = "\u202e"


@pytest.mark.parametrize(
    "text",
    [
        "Acme\u202egpj.exe",  # right-to-left override
        "Acme\u2067x\u2069",  # isolates
        "Acme\u200f",  # right-to-left mark
        "Acme\u061c",  # Arabic letter mark
        "Ac\u0000me",  # NUL
        "Ac\u0007me",  # bell
        "Ac\u00adme",  # soft hyphen, invisible
        "\ufeffAcme",  # byte order mark
        "Ac\u200bme",  # zero-width space
    ],
)
def test_control_and_format_characters_are_refused_and_named(text):
    with pytest.raises(ValidationError) as caught:
        validate_plain_text(text)
    assert caught.value.code == "control_character"
    assert "invisible control character (U+" in caught.value.messages[0]


@pytest.mark.parametrize(
    "text",
    ["Acme Cloud", "Łódź Systems", "شركة أكمي", "אקמה בע״מ", "株式会社アクメ", "Ada\tLovelace", "नमस्‍ते", "👩‍💻 Labs"],
)
def test_names_in_any_script_with_ordinary_whitespace_and_joiners_pass(text):
    validate_plain_text(text)


def test_the_message_names_the_character():
    with pytest.raises(ValidationError) as caught:
        validate_plain_text(f"Acme{RLO}")
    assert caught.value.messages[0] == (
        "This text contains an invisible control character (U+202E RIGHT-TO-LEFT OVERRIDE); please remove it."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_form", "field"),
    [
        pytest.param(
            lambda name: WaitlistForm({"email": "a@example.org", "organization_name": name}),
            "organization_name",
            id="waitlist",
        ),
        pytest.param(lambda name: IndividualProfileForm({"display_name": name}), "display_name", id="individual"),
        pytest.param(lambda name: AffiliationForm({"organization_name": name}), "organization_name", id="affiliation"),
        pytest.param(lambda name: ApplicationForm(application_data(contact_name=name)), "contact_name", id="contact"),
        pytest.param(
            lambda name: ApplicationForm(application_data(name=name)), "organization_name", id="application-org"
        ),
        pytest.param(
            lambda name: OrderDetailsForm(
                {"buyer_name": name, "buyer_email": "a@example.org"}, ticket_labels=["Full pass"]
            ),
            "buyer_name",
            id="buyer",
        ),
        pytest.param(
            lambda name: OrderDetailsForm(
                {"buyer_name": "Ada", "buyer_email": "a@example.org", "attendee_1_name": name},
                ticket_labels=["Full pass"],
            ),
            "attendee_1_name",
            id="attendee-at-registration",
        ),
        pytest.param(lambda name: TicketForm({"attendee_name": name}), "attendee_name", id="attendee"),
        pytest.param(lambda name: ProfileForm({"first_name": name}), "first_name", id="account"),
        pytest.param(lambda name: SurveyForm({"organization_name": name}), "organization_name", id="survey"),
    ],
)
def test_every_name_form_refuses_a_bidi_override(make_form, field):
    form = make_form(f"Acme{RLO}gpj.exe")
    assert not form.is_valid()
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in form.errors[field][0]
    assert field not in make_form("Acme").errors


@pytest.mark.django_db
def test_the_admin_screens_refuse_it_on_the_organisation_through_the_model():
    organization = Organization(name=f"Acme{RLO}", slug="acme")
    with pytest.raises(ValidationError) as caught:
        organization.full_clean()
    assert "name" in caught.value.message_dict
