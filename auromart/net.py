"""The client's address, for lockouts and throttles, behind a known number of proxies."""

from django.conf import settings


def client_ip(request) -> str:
    """The address that connected to the outermost of PROXY_COUNT trusted proxies.

    With no proxy the socket's peer is the client. Behind N proxies (a load
    balancer appends to X-Forwarded-For), the Nth address from the right is the
    last one a trusted hop wrote; anything left of it the client may have forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
