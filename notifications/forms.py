"""Forms of the inbox and the notification settings page.

They only parse what the user sent; which events a user has and what each
channel needs (a phone for WhatsApp) are preferences_set's rules.
"""

from django import forms

from .events import Event
from .models import Channel


class NotificationFilterForm(forms.Form):
    """The inbox's "All / Unread" switch (`?show=unread`)."""

    show = forms.ChoiceField(choices=[("", "All"), ("unread", "Unread")], required=False)

    @property
    def unread_only(self) -> bool:
        return self.is_valid() and self.cleaned_data["show"] == "unread"


class PreferencesForm(forms.Form):
    """One row per event the user has, one checkbox per channel; no box ticked turns it off."""

    def __init__(self, *args, events: list[Event], sms_events: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.events = events
        for event in events:
            # SMS only where the event has a registered (DLT) SMS template.
            choices = [
                (value, label)
                for value, label in Channel.choices
                if value != Channel.SMS or event.key in sms_events
            ]
            self.fields[event.key] = forms.MultipleChoiceField(
                label=event.label,
                help_text=event.description,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

        self.offers_sms = any(event.key in sms_events for event in events)
        if self.offers_sms:
            self.fields["sms_phone"] = forms.CharField(
                label="Mobile number for SMS",
                max_length=32,
                required=False,
                help_text="In international format with the country code, e.g. +919876543210. "
                "Leave it empty to get no SMS.",
                widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            )

    def rows(self):
        """(event, bound field) pairs, in the events' order, for the settings table."""
        return [(event, self[event.key]) for event in self.events]

    def channels(self) -> dict[str, list[str]]:
        """What preferences_set takes: {event key: [channel, ...]} for every row."""
        return {event.key: list(self.cleaned_data[event.key]) for event in self.events}

    def sms_phone(self) -> str | None:
        """The SMS number typed (preferences_set checks it); None when SMS is not offered."""
        return self.cleaned_data.get("sms_phone") if self.offers_sms else None
