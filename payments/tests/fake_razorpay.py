"""A local fake of Razorpay's HTTP API on loopback, for the official SDK to talk to.

Serves what payments uses: POST /v1/orders, GET /v1/payments/{id},
POST /v1/payments/{id}/refund (full or partial, idempotent per
X-Refund-Idempotency header or receipt), GET /v1/payments/{id}/refunds, with
Basic auth checked. Tests "pay" with `capture()` (the provider's side of a checkout) and
get a webhook body signed by the SDK's scheme with `signed_webhook()`.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_fake", "fake-secret", "fake-webhook-secret"


class FakeRazorpay:
    def __init__(self, port: int):
        self.orders: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str]] = []
        self.refund_calls = 0
        # Refunds made per idempotency key (X-Refund-Idempotency, else the receipt): the same
        # key again answers the refund already made, as Razorpay does.
        self.refunds_by_key: dict[str, dict] = {}
        # Make the refund, then drop the connection without answering (a lost response).
        self.drop_next_refund_response = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _auth_ok(self):
                expected = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    return json.loads(raw or "{}")
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def _not_found(self):
                self._answer(
                    400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}}
                )

            def do_GET(self):
                fake.requests.append(("GET", self.path))
                if not self._auth_ok():
                    return self._answer(401, {"error": {"code": "BAD_REQUEST_ERROR"}})
                if m := re.fullmatch(r"/v1/payments/(\w+)/refunds", self.path.split("?")[0]):
                    items = fake.refunds.get(m[1], [])
                    return self._answer(
                        200, {"entity": "collection", "count": len(items), "items": items}
                    )
                m = re.fullmatch(r"/v1/payments/(\w+)", self.path.split("?")[0])
                if m and m[1] in fake.payments:
                    return self._answer(200, fake.payments[m[1]])
                return self._not_found()

            def do_POST(self):
                fake.requests.append(("POST", self.path))
                if not self._auth_ok():
                    return self._answer(401, {"error": {"code": "BAD_REQUEST_ERROR"}})
                data = self._body()
                if self.path == "/v1/orders":
                    order_id = f"order_{secrets.token_hex(7)}"
                    fake.orders[order_id] = {
                        "id": order_id,
                        "entity": "order",
                        "amount": int(data["amount"]),
                        "currency": data.get("currency", "INR"),
                        "receipt": data.get("receipt"),
                        "status": "created",
                    }
                    return self._answer(200, fake.orders[order_id])
                if m := re.fullmatch(r"/v1/payments/(\w+)/refund", self.path):
                    if m[1] not in fake.payments:
                        return self._not_found()
                    key = self.headers.get("X-Refund-Idempotency") or data.get("receipt")
                    if key and key in fake.refunds_by_key:
                        return self._answer(200, fake.refunds_by_key[key])
                    payment = fake.payments[m[1]]
                    amount = int(data.get("amount", payment["amount"]))
                    done = sum(r["amount"] for r in fake.refunds.get(m[1], []))
                    if amount > payment["amount"] - done:
                        return self._answer(
                            400,
                            {
                                "error": {
                                    "code": "BAD_REQUEST_ERROR",
                                    "description": "The refund amount exceeds what is left.",
                                }
                            },
                        )
                    fake.refund_calls += 1
                    refund = {
                        "id": f"rfnd_{secrets.token_hex(7)}",
                        "entity": "refund",
                        "payment_id": m[1],
                        "amount": amount,
                        "receipt": data.get("receipt"),
                        "status": "processed",
                    }
                    fake.refunds.setdefault(m[1], []).append(refund)
                    if key:
                        fake.refunds_by_key[key] = refund
                    if done + amount >= payment["amount"]:
                        payment["status"] = "refunded"
                    payment["amount_refunded"] = done + amount
                    if fake.drop_next_refund_response:
                        fake.drop_next_refund_response = False
                        self.close_connection = True
                        return None  # the refund is made; its answer never arrives
                    return self._answer(200, refund)
                return self._not_found()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def capture(self, order_id: str, *, amount: int | None = None, status: str = "captured") -> str:
        """The buyer pays the provider order (amount: what the provider got, paise)."""
        payment_id = f"pay_{secrets.token_hex(7)}"
        self.payments[payment_id] = {
            "id": payment_id,
            "entity": "payment",
            "order_id": order_id,
            "amount": self.orders[order_id]["amount"] if amount is None else amount,
            "currency": "INR",
            "status": status,
            "method": "upi",
        }
        return payment_id

    def signed_webhook(self, payment_id: str, *, event: str = "payment.captured", secret=None):
        """(body, signature) of the provider's webhook for a payment, signed as Razorpay does."""
        body = json.dumps(
            {
                "entity": "event",
                "event": event,
                "contains": ["payment"],
                "payload": {"payment": {"entity": self.payments[payment_id]}},
            }
        ).encode()
        key = (secret or WEBHOOK_SECRET).encode()
        return body, hmac.new(key, body, hashlib.sha256).hexdigest()
