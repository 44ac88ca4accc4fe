"""The shared CSS vocabulary (static/css/site.css) on one page: it fits a phone and looks right on a desktop."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from portal.accounts.groups import CONTENT_EDITORS
from portal.accounts.mfa import totp_activate
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import totp_code_to_type
from tests.e2e.screenshots import full_page_screenshot

SAMPLE = """{% extends "base.html" %}
{% block content %}
<section class="hero"><div class="container">
  <nav class="breadcrumbs" aria-label="Breadcrumbs"><ol><li><a href="/">Home</a></li><li><a href="/events/">Events</a></li><li aria-current="page">Summit</li></ol></nav>
  <h1>OpenInfra Summit Asia 2027</h1>
  <div class="hero__lead"><p>Three days of open infrastructure: OpenStack, Kata Containers, StarlingX, Zuul and Airship.</p></div>
  <div class="form__actions"><a class="btn" href="#">Register</a><a class="btn btn--secondary" href="#">Sponsor</a></div>
</div></section>
<section class="section"><div class="container stack">
  <p class="lead">Providing infrastructure using open source solutions.</p>
  <p class="muted">Muted supporting text.</p>
  <div class="stats">
    <div class="stat"><span class="stat__value">40M+</span><span class="stat__label">CPU cores in production</span></div>
    <div class="stat"><span class="stat__value">60%</span><span class="stat__label">growth year over year</span></div>
  </div>
  <ul class="cards">
    <li><article class="card"><h2 class="card__title"><a href="#">OpenStack</a></h2><p class="card__meta">IaaS · since 2010</p><div class="card__body"><p>A pure IaaS cloud for private and public use cases.</p></div><p><span class="tag">compute</span> <span class="badge badge--success">Active</span></p></article></li>
    <li><article class="card"><h2 class="card__title"><a href="#">Kata Containers</a></h2><p class="card__meta">Containers</p><div class="card__body"><p>Containers with the isolation of lightweight virtual machines.</p></div><p><span class="badge badge--info">Incubating</span></p></article></li>
    <li><article class="card"><h2 class="card__title"><a href="#">Zuul</a></h2><div class="card__body"><p>Project gating and CI/CD at scale.</p></div><p><span class="badge badge--warning">Pending</span> <span class="badge badge--danger">Refunded</span> <span class="badge badge--neutral">Draft</span></p></article></li>
  </ul>
  <div class="split">
    <div><h2>Sponsors</h2><ul class="logo-grid"><li><a class="logo-grid__item" href="#">Binero</a></li><li><a class="logo-grid__item" href="#">Infomaniak</a></li><li><a class="logo-grid__item" href="#">NIPA Cloud</a></li></ul></div>
    <div class="table-wrap"><table class="table"><caption>Tickets</caption><thead><tr><th>Ticket type</th><th class="num">Price</th><th>On sale until</th><th>Status</th></tr></thead>
      <tbody><tr><td>Early bird</td><td class="num">USD 299.00</td><td>1 March 2027</td><td><span class="badge badge--success">On sale</span></td></tr>
      <tr><td>Full access</td><td class="num">USD 599.00</td><td>12 June 2027</td><td><span class="badge badge--neutral">Soon</span></td></tr></tbody></table></div>
  </div>
  <p class="message message--success">Your ticket is confirmed.</p>
  <p class="message message--error">The card was declined.</p>
  <p class="message message--warning">Only 3 seats left.</p>
  <p class="message message--info">Registration opens on 1 February.</p>
  <form class="form" method="get" action="#">
    <div class="field"><label for="id_name">Name</label><input id="id_name" name="name"><div class="field__help">As printed on your badge.</div></div>
    <div class="field field--error"><label for="id_email">E-mail</label><input id="id_email" name="email" aria-invalid="true"><ul class="errorlist"><li>Enter a valid e-mail address.</li></ul></div>
    <div class="form__actions"><button class="btn" type="submit">Save</button><button class="btn btn--secondary btn--small" type="button">Small</button></div>
  </form>
</div></section>
{% endblock %}"""


def _render_sample(user=None) -> str:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/styleguide/")
    request.user = user or AnonymousUser()
    return Template(SAMPLE).render(Context({"request": request, "user": request.user}))


@pytest.mark.django_db(transaction=True)
def test_the_vocabulary_fits_a_phone(live_server, phone_page, page, artifacts_dir):
    html = _render_sample()
    for name, tab in (("375", phone_page), ("1280", page)):
        tab.goto(live_server.url + "/static/css/site.css")  # same origin, so /static/ resolves
        tab.set_content(html)
        tab.wait_for_load_state("load")
        assert tab.evaluate("getComputedStyle(document.querySelector('.btn')).backgroundColor") == "rgb(179, 22, 43)"
        if name == "375":
            assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert tab.evaluate("window.innerWidth") == 375
        full_page_screenshot(tab, artifacts_dir / f"design-system-{name}.png")


@pytest.mark.django_db(transaction=True)
def test_staff_log_in_from_the_admin_reaches_the_dashboard_in_a_browser(live_server, page, site_with_home):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups()  # transactional tests start from a flushed database
    editor = UserFactory(groups=[CONTENT_EDITORS])
    secret = totp_activate(editor)  # staff need a second factor for the admin
    page.goto(live_server.url + "/admin/")
    assert "/accounts/login/?next=" in page.url
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code_to_type(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.get_by_role("heading", name="Dashboard").count() >= 1 or "Dashboard" in page.title()
