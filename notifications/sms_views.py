"""Twilio's delivery receipts for SMS: POST /notifications/sms/status/<outbox id>/.

Twilio calls the status_callback URL each SMS was sent with (notifications.sms)
as the message moves (queued, sent, delivered, undelivered, failed), signing
each call with the account's auth token in X-Twilio-Signature. An unsigned
or wrongly signed call is answered 400 and changes nothing.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from .sms import sms_receipt_record

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"


@csrf_exempt  # signed by Twilio instead; no session, no cookie
@require_POST
def sms_status(request, pk: int):
    if not settings.TWILIO_AUTH_TOKEN:
        return JsonResponse({"detail": "SMS delivery receipts are not configured."}, status=400)
    # Twilio signs the URL it was given (built from SITE_URL) with the form fields.
    url = settings.SITE_URL + request.get_full_path()
    params = request.POST.dict()
    signature = request.META.get(SIGNATURE_HEADER, "")
    if not signature or not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
        url, params, signature
    ):
        logger.warning("SMS status callback for outbox %s with a bad signature", pk)
        return JsonResponse({"detail": "The X-Twilio-Signature is missing or wrong."}, status=400)
    status = params.get("MessageStatus", "")
    if not status:
        return JsonResponse({"MessageStatus": ["This field is required."]}, status=400)
    sms_receipt_record(
        message_id=pk,
        provider_sid=params.get("MessageSid", ""),
        status=status,
        error_code=params.get("ErrorCode", ""),
    )
    # 204 whatever changed: Twilio only needs to know the receipt arrived.
    return HttpResponse(status=204)
