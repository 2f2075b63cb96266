"""Settings for outgoing messages: carrier tracking links and SMS (DLT templates).

Imported by auromart.settings; every value comes from the environment, which
auromart.settings has already read (`.env` included).
"""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# Tracking references link to their carrier: name -> URL template with {ref}.
# A shipment's carrier is known when its tracking reference starts with the
# carrier's name, spaces and case aside ("Blue Dart 7788…", "BLUEDART 7788…").
# Override with CARRIERS='{"Name": "https://…{ref}"}' (JSON).
CARRIERS = env.json(
    "CARRIERS",
    default={
        "Delhivery": "https://www.delhivery.com/track/package/{ref}",
        "Blue Dart": "https://www.bluedart.com/trackdartresultthirdparty?trackFor=0&trackNo={ref}",
        "DTDC": "https://www.dtdc.in/trace.asp?strCnno={ref}",
        "India Post": (
            "https://www.indiapost.gov.in/_layouts/15/dop.portal.tracking/"
            "trackconsignment.aspx?consignment={ref}"
        ),
    },
)
for _carrier, _template in CARRIERS.items():
    if "{ref}" not in _template or not _template.startswith("https://"):
        raise ImproperlyConfigured(f"CARRIERS[{_carrier!r}] must be an https URL with {{ref}}.")

# SMS through Twilio's Messages API (notifications.sms). Without an account
# SID an SMS is simulated: recorded as sent, nothing leaves. TWILIO_API_BASE_URL
# replaces https://api.twilio.com (the tests' local fake). Delivery receipts
# come to /notifications/sms/status/<id>/, signed with the auth token.
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="").rstrip("/")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
if TWILIO_ACCOUNT_SID and not TWILIO_AUTH_TOKEN:
    raise ImproperlyConfigured("TWILIO_ACCOUNT_SID needs TWILIO_AUTH_TOKEN.")
# India's DLT (TRAI): each event's SMS is a registered template. Per event:
# its DLT template id, its sender id (the registered header) and the
# registered text, whose {#var#} slots are the only parts we fill (in the
# order notifications.sms names them). An event without an entry has no SMS.
# The ids below are placeholders: set SMS_DLT_TEMPLATES (JSON) to your own.
SMS_DLT_SENDER_ID = env("SMS_DLT_SENDER_ID", default="AURMRT")
SMS_DLT_TEMPLATES = env.json(
    "SMS_DLT_TEMPLATES",
    default={
        "order_placed": {
            "template_id": "1107170000000000001",
            "text": "AuroMart: we received your order {#var#}. Estimated {#var#}.",
        },
        "order_status": {
            "template_id": "1107170000000000002",
            "text": "AuroMart: your order {#var#} {#var#}.",
        },
        "invoice_issued": {
            "template_id": "1107170000000000003",
            "text": (
                "AuroMart: your order {#var#} {#var#} (tracking {#var#}). Invoice {#var#}: {#var#}."
            ),
        },
    },
)
