"""Online payment settings (payments app, issue #16 §1), read by settings.py.

One merchant account, the operator's. Without keys the demo uses the offline
test gateway (a page on this site where a person approves or declines).
"""

import environ

env = environ.Env()

RAZORPAY_KEY_ID = env("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env("RAZORPAY_KEY_SECRET", default="")
RAZORPAY_WEBHOOK_SECRET = env("RAZORPAY_WEBHOOK_SECRET", default="")
# The SDK's API address; tests point it at a local fake on loopback.
RAZORPAY_BASE_URL = env("RAZORPAY_BASE_URL", default="https://api.razorpay.com")
# Seconds the SDK waits for the provider before giving up.
RAZORPAY_TIMEOUT_SECONDS = env.int("RAZORPAY_TIMEOUT_SECONDS", default=10)
# "razorpay" (needs the keys) or "test" (offline, the default without keys).
PAYMENT_GATEWAY = env(
    "PAYMENT_GATEWAY", default="razorpay" if RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET else "test"
)
# An order awaiting online payment keeps its stock this long, then is released.
PAYMENT_TIMEOUT_MINUTES = env.int("PAYMENT_TIMEOUT_MINUTES", default=30)
# The secret the test gateway signs its webhooks with (it is not a provider's).
PAYMENT_TEST_WEBHOOK_SECRET = env("PAYMENT_TEST_WEBHOOK_SECRET", default="test-gateway-secret")
