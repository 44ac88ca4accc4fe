"""The sponsor's contract page: review the generated contract, sign it, download the signed copies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from events import contract_selectors, services
from events.contract_forms import ContractSignForm
from events.exceptions import ApplicationError
from portal.core.ratelimit import client_ip


def contract_file_response(sponsorship, kind: str) -> FileResponse:
    """One of the contract's stored PDFs as a download, never cached by a shared cache."""
    contract = contract_selectors.contract_of(sponsorship)
    if contract is None or kind not in contract_selectors.FILES:
        raise Http404("No such file.")
    field = getattr(contract, contract_selectors.FILES[kind][0])
    if not field:
        raise Http404("No such file.")
    filename = f"{sponsorship.package.event.slug}-{sponsorship.organization.slug}-contract-{kind}.pdf"
    response = FileResponse(
        field.storage.open(field.name, "rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sponsorship_contract(request, pk: int):
    """The contract's state and files; an administrator of the sponsor signs here while it waits for them."""
    sponsorship = contract_selectors.sponsorship_for_contract_reader(request.user, pk)
    contract = contract_selectors.contract_of(sponsorship)
    summary = contract_selectors.sponsorship_contract_summary(sponsorship)
    if contract is None or summary is None:
        raise Http404("This sponsorship has no contract.")
    may_sign = summary.needs_sponsor_signature and contract_selectors.may_sign_for(request.user, sponsorship)
    form = ContractSignForm(request.POST or None, initial={"sha256": contract.unsigned_sha256})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.sponsorship_contract_sign(
                    sponsorship=sponsorship, actor=request.user, ip=client_ip(request), **form.signature()
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, "Thank you: the contract is signed. The events team countersigns it next.")
                return redirect(request.path)
        else:
            status = 400
    context = {
        # Refused with the form gone (signed meanwhile, canceled): the reason still shows.
        "refusal": form.non_field_errors()[0] if form.non_field_errors() and not may_sign else "",
        "sponsorship": sponsorship,
        "event": sponsorship.package.event,
        "contract": contract,
        "summary": summary,
        "form": form if may_sign else None,
    }
    return render(request, "events/contracts/contract.html", context, status=status)


@login_required
@require_GET
def sponsorship_contract_file(request, pk: int, kind: str):
    """Downloads for the organisation's administrators and Events staff only; anyone else gets a 404."""
    return contract_file_response(contract_selectors.sponsorship_for_contract_reader(request.user, pk), kind)
