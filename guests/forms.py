"""Forms for what guests and owners send: a signature, a CSV row, a photo authorization, an override."""

import re

from django import forms
from django.core.exceptions import ValidationError

from .images import decode_signature_data_url
from .models import Guest, WaiverSignature


class WaiverSignForm(forms.Form):
    consent = forms.BooleanField(
        required=True,
        label="I agree to sign this waiver electronically, and that my electronic signature is as binding as ink.",
        error_messages={"required": "Tick the box to agree to sign electronically."},
    )
    signer = forms.ChoiceField(
        choices=WaiverSignature.Signer.choices,
        initial=WaiverSignature.Signer.GUEST,
        required=False,
        error_messages={"invalid_choice": "Choose who is signing."},
    )
    relationship = forms.ChoiceField(
        choices=[("", "Choose…"), *WaiverSignature.Relationship.choices],
        required=False,
        error_messages={"invalid_choice": "Choose your relationship from the list."},
    )
    signed_name = forms.CharField(
        max_length=200,
        label="Your full name",
        error_messages={"required": "Type your full name."},
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    signature = forms.CharField(
        required=True,
        widget=forms.HiddenInput,
        error_messages={"required": "Draw your signature in the box."},
    )
    # Not part of the waiver: one tick, unticked by default, that the brand sends no offers.
    no_offers = forms.BooleanField(required=False)

    def __init__(self, *args, guest: Guest, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        self.fields["no_offers"].label = f"No news or offers from {guest.event.organization.name}, please."
        if guest.is_minor:
            # Only a parent or legal guardian signs for a minor (the service refuses anything else).
            self.fields["signer"].initial = WaiverSignature.Signer.GUARDIAN
            self.fields["relationship"].choices = [
                ("", "Choose…"),
                *((value, label) for value, label in WaiverSignature.Relationship.choices if value != "representative"),
            ]
            self.fields["signed_name"].label = "Parent or guardian's full name"

    def clean_signer(self) -> str:
        # Not said: the guest signs for themselves (a minor's parent or guardian for them).
        return self.cleaned_data["signer"] or self.fields["signer"].initial

    def clean_signed_name(self) -> str:
        name = " ".join(self.cleaned_data["signed_name"].split())
        if not name:
            raise ValidationError("Type your full name.")
        return name

    def clean_signature(self) -> bytes:
        return decode_signature_data_url(self.cleaned_data["signature"])


class SigningLinkRequestForm(forms.Form):
    """A lost signing link asked for again: the email address or phone number the booking has."""

    contact = forms.CharField(
        max_length=254,
        label="Your email address or phone number, as on the booking",
        error_messages={"required": "Enter the email address or phone number the booking has for you."},
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}),
    )

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            forms.EmailField().clean(value)
            return value
        if sum(c.isdigit() for c in value) < 7 or not re.fullmatch(r"[\d\s()+.\-]+", value):
            raise ValidationError("Enter an email address, or a phone number with its area code.")
        return value


class GuestCsvRowForm(forms.ModelForm):
    """One row of a guest CSV; the same validation as the admin."""

    is_minor = forms.CharField(required=False)

    class Meta:
        model = Guest
        fields = ["name", "email", "phone", "date_of_birth", "guardian_name"]

    def clean_is_minor(self) -> bool:
        value = (self.cleaned_data.get("is_minor") or "").strip().lower()
        if value in {"", "0", "no", "n", "false"}:
            return False
        if value in {"1", "yes", "y", "true", "x"}:
            return True
        raise ValidationError(f"“{value}” is not yes or no.")

    def _post_clean(self) -> None:
        # The row is checked here; the guest itself is made by services.guest_create.
        pass


class GuestCsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Columns: name, email, phone, date_of_birth, is_minor, guardian_name."
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why the charter may start with guests on hold",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason; it is recorded with the start."},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError("Give the reason; it is recorded with the start.")
        return reason


class PhotoAuthorizeForm(forms.Form):
    content_type = forms.CharField(max_length=100)
    size = forms.IntegerField(min_value=0, max_value=2**40)
