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

    def __init__(self, *args, events: list[Event], **kwargs):
        super().__init__(*args, **kwargs)
        self.events = events
        for event in events:
            self.fields[event.key] = forms.MultipleChoiceField(
                label=event.label,
                help_text=event.description,
                choices=Channel.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

    def rows(self):
        """(event, bound field) pairs, in the events' order, for the settings table."""
        return [(event, self[event.key]) for event in self.events]

    def channels(self) -> dict[str, list[str]]:
        """What preferences_set takes: {event key: [channel, ...]} for every row."""
        return {event.key: list(self.cleaned_data[event.key]) for event in self.events}
