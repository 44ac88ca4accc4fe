"""Staff screens for sponsorship contracts (Wagtail admin, Events staff): the files, countersigning, and the
upload of a contract signed outside the portal. Registered by events/wagtail_hooks.py importing this module."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks

from events import contract_selectors, services
from events.contract_forms import ContractSignForm, ContractUploadForm
from events.contract_views import contract_file_response
from events.exceptions import ApplicationError
from portal.core.ratelimit import client_ip


def _post(request, sponsorship, contract):
    """Countersign or upload; returns the forms with their errors, or None when done."""
    sign_form = ContractSignForm(request.POST if request.POST.get("action") == "countersign" else None)
    upload_form = ContractUploadForm(
        request.POST if request.POST.get("action") == "upload" else None,
        request.FILES if request.POST.get("action") == "upload" else None,
    )
    try:
        if sign_form.is_bound and sign_form.is_valid():
            services.sponsorship_contract_countersign(
                sponsorship=sponsorship, actor=request.user, ip=client_ip(request), **sign_form.signature()
            )
            messages.success(request, f"{sponsorship}: contract countersigned; the sponsor has been told.")
            return None
        if upload_form.is_bound and upload_form.is_valid():
            services.sponsorship_contract_upload(
                sponsorship=sponsorship, actor=request.user, upload=upload_form.cleaned_data["signed_pdf"]
            )
            messages.success(request, f"{sponsorship}: signed contract stored; it counts as signed by both sides.")
            return None
    except ApplicationError as error:
        (sign_form if sign_form.is_bound else upload_form).add_error(None, error.message)
    return sign_form, upload_form


@permission_required(contract_selectors.STAFF_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def sponsorship_contract_admin(request, pk: int):
    sponsorship = contract_selectors.sponsorship_for_contract_reader(request.user, pk)
    contract = contract_selectors.contract_of(sponsorship)
    status = 200
    if request.method == "POST":
        forms = _post(request, sponsorship, contract)
        if forms is None:
            return redirect("events_sponsorship_contract", pk=sponsorship.pk)
        sign_form, upload_form = forms
        status = 400
    else:
        sign_form, upload_form = ContractSignForm(), ContractUploadForm()
    if contract is not None and not sign_form.is_bound:
        sign_form = ContractSignForm(initial={"sha256": contract.sponsor_sha256})
    context = {
        "sponsorship": sponsorship,
        "contract": contract,
        "files": contract_selectors.contract_files(contract, url_name="events_sponsorship_contract_file")
        if contract
        else [],
        "may_countersign": contract is not None
        and contract.status == contract.Status.AWAITING_STAFF
        and sponsorship.status != sponsorship.Status.CANCELED,
        "may_upload": (contract is None or not contract.fully_signed)
        and sponsorship.status not in (sponsorship.Status.REQUESTED, sponsorship.Status.CANCELED),
        "sign_form": sign_form,
        "upload_form": upload_form,
    }
    return TemplateResponse(request, "events/contracts/admin_contract.html", context, status=status)


@permission_required(contract_selectors.STAFF_PERMISSION, raise_exception=True)
@require_GET
def sponsorship_contract_admin_file(request, pk: int, kind: str):
    return contract_file_response(contract_selectors.sponsorship_for_contract_reader(request.user, pk), kind)


@hooks.register("register_admin_urls")
def register_contract_urls():
    return [
        path("events/sponsorships/<int:pk>/contract/", sponsorship_contract_admin, name="events_sponsorship_contract"),
        path(
            "events/sponsorships/<int:pk>/contract/<str:kind>.pdf",
            sponsorship_contract_admin_file,
            name="events_sponsorship_contract_file",
        ),
    ]
