from django import forms

from portal.accounts.users import User
from portal.core.text import validate_plain_text


class ProfileForm(forms.Form):
    # A plain form, not a ModelForm: validating must not change the user before the service does.
    first_name = forms.CharField(validators=[validate_plain_text], label="First name", max_length=150, required=False)
    last_name = forms.CharField(validators=[validate_plain_text], label="Last name", max_length=150, required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="We ask for it so nobody else can delete your account from a browser you left open.",
    )
    confirm = forms.BooleanField(
        label="I understand that my name and e-mail address are erased and I cannot log in again.",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
