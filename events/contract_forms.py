"""The contract signing and upload forms: parse input only; the rules live in events/services/contract_signing.py."""

from django import forms

from portal.core.text import validate_plain_text


class ContractSignForm(forms.Form):
    """A typed signature: full name, title, consent, and the hash of the file the page showed."""

    full_name = forms.CharField(label="Your full name", max_length=200, validators=[validate_plain_text])
    title = forms.CharField(label="Your title", max_length=200, validators=[validate_plain_text])
    consent = forms.BooleanField(
        label="I have reviewed the contract above and sign it; typing my name is my signature.",
        required=True,
        error_messages={"required": "Tick the box to confirm that typing your name is your signature."},
    )
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def signature(self) -> dict:
        """The valid form as the signing services take it (with the actor and the signer's IP address)."""
        data = self.cleaned_data
        return {
            "name": data["full_name"],
            "title": data["title"],
            "consent": data["consent"],
            "reviewed_sha256": data["sha256"],
        }


class ContractUploadForm(forms.Form):
    signed_pdf = forms.FileField(label="Contract signed outside the portal (PDF)")
