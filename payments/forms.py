import datetime

from django import forms
from django.core.exceptions import ValidationError


class TestGatewayForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])


class SettlementFilterForm(forms.Form):
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise ValidationError("The start is after the end.")
        if start and end and end - start > datetime.timedelta(days=3660):
            raise ValidationError("Choose at most ten years.")
        return cleaned
