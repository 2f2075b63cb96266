import pytest

from .fake_razorpay import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, FakeRazorpay

# Loopback ports of this app's fakes: the first free one of 18150-18199.
PORTS = range(18150, 18200)


def _start_fake() -> FakeRazorpay:
    for port in PORTS:
        try:
            return FakeRazorpay(port).start()
        except OSError:
            continue
    raise RuntimeError("No free port in 18150-18199 for the fake Razorpay")


@pytest.fixture
def fake_razorpay(settings):
    fake = _start_fake()
    settings.PAYMENT_GATEWAY = "razorpay"
    settings.RAZORPAY_BASE_URL = fake.base_url
    settings.RAZORPAY_KEY_ID = KEY_ID
    settings.RAZORPAY_KEY_SECRET = KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield fake
    fake.stop()
