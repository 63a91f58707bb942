"""Schemathesis reads the API's OpenAPI schema, generates requests from it,
and checks that none gets a 5xx and every response matches the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error, response_schema_conformance

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture
def one_connection():
    """Keep the test's database connection open across the requests, as Django's
    test client does: each request would otherwise close it at its end (on
    PostgreSQL, taking the test's transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch):
    # Hundreds of requests a minute: the throttle, tested on its own, would answer 429 to most.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_5xx_or_a_response_the_schema_does_not_describe(
    case, db, one_connection, unthrottled
):
    # Over WSGI nothing decompresses a gzipped answer, as an HTTP client would: ask for it plain.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"}, checks=[not_a_server_error, response_schema_conformance]
    )
