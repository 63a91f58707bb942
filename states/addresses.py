"""Who a request came from: the one reading of the client's network address,
used by sign-in throttling (django-axes), the corrections limits and the API
throttle alike, so that behind a proxy each reader is counted as themselves.

settings.TRUSTED_PROXIES is how many proxies stand in front of the app
server, each appending the address it received the request from to
X-Forwarded-For (nginx's ``$proxy_add_x_forwarded_for`` does). The client is
then the address that many places from the right; whatever a client wrote in
the header itself stands further left and is never read. With no proxies (the
default), the header is ignored and the address is the connection's.

(Not django-ipware: its proxy count counts the header's entries differently,
and it reads several headers by precedence, which a client can set.)
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's network address, as a string."""
    connection = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return connection
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(forwarded) < proxies:
        return connection  # did not come through every proxy: only the connection can be trusted
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:  # a proxy that wrote something else: not a reader's address
        return connection


def client_address_for_limits(group, request):
    """django-ratelimit's key: the same address."""
    return client_address(request)
