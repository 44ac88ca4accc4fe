"""The survey form at /adoption/survey/."""

import re

import pytest

from portal.adoption.models import ResponseStatus, SurveyResponse
from tests.adoption.factories import EditionFactory, OpenEditionFactory, ResponseFactory, UserFactory

URL = "/adoption/survey/"
VALID = {
    "organization_name": "Bluefjord Research Institute",
    "industry": "research",
    "country": "NO",
    "deployment_type": "hybrid",
    "projects": ["openstack", "kata-containers"],
    "cores": "4096",
    "deployments": "2",
}


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_survey_asks_visitors_to_sign_in(client):
    OpenEditionFactory()
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/adoption/survey/")
    assert client.post(URL, VALID).status_code == 302
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_a_valid_answer_is_saved_pending_and_thanked(client, member):
    edition = OpenEditionFactory()
    page = client.get(URL)
    assert page.status_code == 200
    assert page.content.decode().count("<h1") == 1
    response = client.post(URL, VALID, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    saved = SurveyResponse.objects.get()
    assert (saved.edition, saved.submitted_by, saved.status) == (edition, member, ResponseStatus.PENDING)
    assert (saved.country.code, saved.cores, saved.projects) == ("NO", 4096, ["openstack", "kata-containers"])
    html = response.content.decode()
    assert "Thank you" in html and "await review" in html
    assert "<form" not in html.split("<main", 1)[1], "a second answer is not offered"


@pytest.mark.django_db
def test_errors_re_render_the_form_with_the_answers_kept(client, member):
    OpenEditionFactory()
    response = client.post(
        URL, {**VALID, "organization_name": "", "cores": "0", "projects": [], "public_cloud_listed": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the" in html
    assert "Name your organisation, or choose to answer anonymously." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Name the public cloud you want listed." in html
    assert re.search(r'<input type="radio" name="deployment_type" value="hybrid"[^>]*checked', html)
    assert '<option value="NO" selected>Norway</option>' in html
    assert "field field--error" in html
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_anonymous_answers_need_no_organisation_name(client, member):
    OpenEditionFactory()
    response = client.post(URL, {**VALID, "organization_name": "Secret", "is_anonymous": "on"})
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert saved.is_anonymous and saved.organization_name == ""


@pytest.mark.django_db
def test_a_closed_survey_says_so(client, member):
    EditionFactory(year=2019)
    response = client.get(URL)
    assert response.status_code == 200
    assert "The user survey is closed" in response.content.decode()
    client.post(URL, VALID)
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_someone_who_answered_sees_their_status(client, member):
    edition = OpenEditionFactory()
    ResponseFactory(edition=edition, submitted_by=member, status=ResponseStatus.APPROVED)
    html = client.get(URL).content.decode()
    assert "Your answers count in the published figures." in html
    client.post(URL, VALID)
    assert SurveyResponse.objects.count() == 1
