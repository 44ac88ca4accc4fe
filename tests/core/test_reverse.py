"""Links are reversed once per process and kept: the same answers as Django's, forgotten when the URLconf changes."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch
from django.urls import reverse as django_reverse

from portal.core import reverse as kept


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("health", None, None),
        ("accounts:home", None, None),
        ("events:order", None, {"slug": "summit", "code": "AB12CD34", "secret": "s3cr3t"}),
        ("events:order", ["summit", "AB12CD34", "other"], None),
    ],
)
def test_the_kept_answer_is_djangos_the_first_time_and_after(name, args, kwargs):
    expected = django_reverse(name, args=args, kwargs=kwargs)
    assert kept.reverse(name, args=args, kwargs=kwargs) == expected
    assert kept.reverse(name, args=args, kwargs=kwargs) == expected


def test_a_name_that_does_not_reverse_raises_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            kept.reverse("events:order", kwargs={"slug": "summit"})


def test_a_new_urlconf_is_not_answered_from_the_old_one():
    assert kept.reverse("health") == "/health/"
    with override_settings(ROOT_URLCONF="tests.core.urls_elsewhere"):
        assert kept.reverse("health") == "/somewhere-else/health/"
        assert Template("{% url 'health' %}").render(Context()) == "/somewhere-else/health/"
    assert kept.reverse("health") == "/health/"


def test_the_url_tag_renders_as_djangos_escaped_and_as_a_variable():
    rendered = Template(
        "{% url 'events:order' slug=slug code='AB12CD34' secret=secret %}|"
        "{% url 'accounts:home' as home %}{{ home }}|{% url 'nowhere-at-all' as missing %}[{{ missing }}]"
    ).render(Context({"slug": "summit", "secret": "a&b"}))
    order = django_reverse("events:order", kwargs={"slug": "summit", "code": "AB12CD34", "secret": "a&b"})
    assert rendered == f"{order.replace('&', '&amp;')}|/accounts/|[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'nowhere-at-all' %}").render(Context())
