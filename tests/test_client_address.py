"""One reading of the client's address (states/addresses.py), behind the
proxies settings.TRUSTED_PROXIES says are in front."""

import pytest
from django.test import RequestFactory

from states.addresses import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "", "10.0.0.2"),
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy is trusted: the header is anyone's
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),  # what the reader wrote is to the left
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # came past fewer proxies than there are
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_received_it_from(settings, proxies, forwarded, address):
    settings.TRUSTED_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)
    assert client_address(request) == address
