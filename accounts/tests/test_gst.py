"""GSTIN validation: format, state code and check digit, each with its own message."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.gst import STATE_CODES, gstin_check_character, validate_gstin
from accounts.tests.factories import RetailerUserFactory

# Published GSTINs of real format with a correct check character.
VALID = ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "24AAACC1206D1ZM", " 27aapfu0939f1zv "]


@pytest.mark.parametrize("gstin", VALID)
def test_real_format_gstins_with_a_correct_check_character_pass(gstin):
    validate_gstin(gstin)  # no error


def test_blank_is_allowed():
    validate_gstin("")


@pytest.mark.parametrize(
    ("gstin", "code", "words"),
    [
        ("27AAPFU0939F1ZW", "gstin_check", "check character is wrong"),
        ("29AAGCB7383J1Z5", "gstin_check", "ends in “4”"),
        ("45AAPFU0939F1ZV", "gstin_state", "“45” is not a GST state code"),
        ("00AAPFU0939F1ZV", "gstin_state", "not a GST state code"),
        ("27AAPFU0939F1Z", "gstin_length", "this one has 14"),
        ("27AAPFU0939F1ZVX", "gstin_length", "this one has 16"),
        ("27AAPF10939F1ZV", "gstin_pan", "must be a PAN"),
        ("27AAPFU0939F1YV", "gstin_z", "14th character"),
        ("27AAPFU0939F0ZV", "gstin_entity", "entity number"),
        ("27AAPFU-939F1ZV", "gstin_characters", "only letters and digits"),
    ],
)
def test_each_failure_has_its_own_message(gstin, code, words):
    with pytest.raises(ValidationError) as caught:
        validate_gstin(gstin)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_wrong_check_length_and_state_messages_differ():
    messages = set()
    for gstin in ("27AAPFU0939F1ZW", "45AAPFU0939F1ZV", "27AAPFU0939F1Z"):
        with pytest.raises(ValidationError) as caught:
            validate_gstin(gstin)
        messages.add(caught.value.messages[0])
    assert len(messages) == 3


def test_every_state_code_with_the_right_check_character_passes():
    for code in STATE_CODES:
        first14 = f"{code}AAPFU0939F1Z"
        validate_gstin(first14 + gstin_check_character(first14))


@pytest.mark.django_db
def test_the_organization_form_names_the_problem_and_stores_upper_case(client):
    admin = RetailerUserFactory()
    client.force_login(admin)
    data = {
        "profile-name": "Admin",
        "profile-phone": "",
        "org-contact_email": "sales@shop.test",
        "org-city": "Pune",
        "org-gstin": "27AAPFU0939F1ZW",
    }
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 400
    assert "The check character is wrong" in response.content.decode()

    response = client.post(reverse("accounts:profile"), {**data, "org-gstin": "27aapfu0939f1zv"})
    assert response.status_code == 302
    admin.organization.refresh_from_db()
    assert admin.organization.gstin == "27AAPFU0939F1ZV"
