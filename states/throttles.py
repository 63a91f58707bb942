"""The API's limit per reader (settings.REST_FRAMEWORK). Apart from
states.api, which DRF's settings would otherwise import while it is being
imported itself."""

import logging

import redis
from rest_framework.throttling import AnonRateThrottle

from states.addresses import client_address

logger = logging.getLogger(__name__)


class ReadersRateThrottle(AnonRateThrottle):
    """DRF's limit per reader, which keeps its counts in the shared cache.
    Redis is a cache, not a dependency: while it cannot be reached, readers are
    served unthrottled (and the outage is logged) rather than answered 500."""

    def get_ident(self, request):
        return client_address(request)  # one reading of the address for every limit, behind the proxy too

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except redis.RedisError:
            logger.warning("API throttle off for %s: the shared cache is unavailable", request.path, exc_info=True)
            return True
