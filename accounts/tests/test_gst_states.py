"""States on addresses (#15 §2): the name match the data migrations use, a GSTIN's state
against the address's, and the list of what has no state."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.gst import gstin_check_character, state_from_text
from accounts.tests.factories import OrganizationFactory


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("12 MG Road, Pune, Maharashtra 411001", "27"),
        ("Salt Lake, Kolkata, WEST BENGAL", "19"),
        ("Okhla, New Delhi 110020", "07"),
        ("Silvassa, Dadra and Nagar Haveli and Daman and Diu", "26"),
        ("Bhubaneswar, Orissa", "21"),  # the old name
        ("Vijayawada, Andhra Pradesh", "37"),  # today's state, not the pre-2014 code
        ("Bengaluru 560001", ""),  # a city alone is not read: left for review
        ("Maharashtra / Gujarat border", ""),  # two states: not guessed
        ("", ""),
    ],
)
def test_state_from_text(text, state):
    assert state_from_text(text) == state


@pytest.mark.django_db
def test_a_gstin_fills_a_blank_state_and_one_from_another_state_is_a_form_error():
    first14 = "27AADCA1000K1Z"
    gstin = first14 + gstin_check_character(first14)
    org = OrganizationFactory.build(kind="retailer", gstin=gstin, state="")
    org.clean()
    assert org.state == "27"
    org = OrganizationFactory.build(kind="retailer", gstin=gstin, state="29")
    with pytest.raises(ValidationError) as caught:
        org.clean()
    assert "registered in 27 Maharashtra" in caught.value.message_dict["gstin"][0]


@pytest.mark.django_db
def test_gst_states_missing_lists_organizations_without_a_state():
    OrganizationFactory(name="Nowhere Traders", state="", gstin="", address="Plot 4", city="X")
    OrganizationFactory(name="Known Traders", state="27")
    out = StringIO()
    call_command("gst_states_missing", stdout=out)
    assert "Nowhere Traders" in out.getvalue() and "Known Traders" not in out.getvalue()
