"""Fixtures shared by the tests. Plain builders are in helpers.py."""

import datetime
import io
from datetime import UTC
from itertools import product
from string import ascii_uppercase

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils import translation

from states.admin_site import two_factor_required
from states.choices import CountingRule, Subregion, UNMembership, UNRegionalGroup
from states.management.commands.load_seed import SEEDED_MODELS
from states.models import PositionStatement, PublishedChange, SeedRow, Source, State, Treaty
from states.per_version import kept
from tests.helpers import FROZEN_SEED, staff_user, verify_second_factor


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        help=(
            "Run as if today were this date (the clock then moves on as usual): CI runs the code tests years "
            "ahead, to show that none depends on the day it runs. Tests marked own_clock are skipped."
        ),
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--today"):
        skip = pytest.mark.skip(reason="starts processes that read the machine's clock, which --today cannot move")
        for item in items:
            if "own_clock" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def the_day_the_tests_run_on(request):
    today = request.config.getoption("--today")
    if not today:
        yield
        return
    with time_machine.travel(datetime.datetime.combine(datetime.date.fromisoformat(today), datetime.time(12), UTC)):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the frozen copy of the seed once into the test database (a full
    region for the pages to draw, which new research in seed/ never changes);
    each test then runs inside a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_seed", "--dir", str(FROZEN_SEED), stdout=io.StringIO())


@pytest.fixture(scope="module")
def shipped_seed(django_db_setup, django_db_blocker):
    """The seed tests' database: the live seed/ in place of the frozen copy,
    for one module's tests, inside a transaction rolled back after them (each
    test's own transaction nests inside it). Its tests still ask for ``db``."""
    with django_db_blocker.unblock(), transaction.atomic():
        for model in [*SEEDED_MODELS, *(model.history.model for model in SEEDED_MODELS), SeedRow, PublishedChange]:
            # Without signals or cascades: every row of these tables goes, and
            # the database checks the references only at the (never reached) commit.
            model._base_manager.all()._raw_delete(using="default")
        call_command("load_seed", "--dir", str(settings.SEED_DIR), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Django's password hasher is slow by design (half a second a password on
    these machines) and the tests make and sign in hundreds of staff users.
    Servers the tests start as separate processes keep the real one."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


class ClosingClient(Client):
    """Django's test client, which also closes, at the end of the test, each
    streamed response (the data package, sent from an open file) that the test
    did not read to the end, as a server does once it has sent it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.streamed = []

    def request(self, **request):
        response = super().request(**request)
        if response.streaming:
            self.streamed.append(response)
        return response


@pytest.fixture
def client():
    visitor = ClosingClient()
    yield visitor
    # As Django's test client does for a response read to the end: without
    # closing the test's database connection, which the test still holds.
    request_finished.disconnect(close_old_connections)
    try:
        for response in visitor.streamed:
            response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def data_packages_of_their_own(tmp_path_factory):
    """Each test builds its data package afresh, in a directory of its own: a
    rolled-back test's database can come back to a data version another test's
    package was built for."""
    with override_settings(DATA_PACKAGE_DIR=tmp_path_factory.mktemp("data-packages")):
        yield


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English. A request activates its page's language and,
    as in a server's thread, leaves it active after the response; code a test
    then calls outside a request would otherwise speak the last page's language."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (rate limits and pages live there),
    and with no work kept for a data version: a rolled-back test's database
    can come back to a version number another test's data had."""
    for alias in caches:
        caches[alias].clear()
    kept.forget()


@pytest.fixture
def rome_statute(db):
    return Treaty.objects.rome_statute()


@pytest.fixture
def asia_pacific(db):
    """The states of the headline counting rule."""
    return State.objects.in_counting_rule(CountingRule.ICC_ASIA_PACIFIC)


@pytest.fixture
def source(db):
    return Source.objects.create(url="https://example.org/record", title="A test record")


@pytest.fixture
def make_state(db, source):
    """Create made-up states. Their alpha-3 codes start with X, which ISO 3166
    leaves to users, so they never collide with a real state."""
    taken = set(State.objects.values_list("iso2", flat=True))
    codes = (a + b for a, b in product(ascii_uppercase, repeat=2) if a + b not in taken)

    def make(**fields):
        iso2 = next(codes)
        values = {
            "name": f"Testland {iso2}",
            "iso2": iso2,
            "iso3": f"X{iso2}",
            "un_regional_group": UNRegionalGroup.ASIA_PACIFIC,
            "subregion": Subregion.SOUTH_EASTERN_ASIA,
            "un_membership": UNMembership.MEMBER,
            "in_icc_asia_pacific": True,
            "source": source,
        }
        values.update(fields)
        return State.objects.create(**values)

    return make


# --- Staff ------------------------------------------------------------------------


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def editor(roles):
    return staff_user("ed_lim", "Editor")


@pytest.fixture
def publisher(roles):
    return staff_user("pub_tan", "Publisher")


@pytest.fixture
def superuser(roles):
    return staff_user("boss", is_superuser=True)


@pytest.fixture
def as_user(client):
    """Sign the test client in as a user (or stay anonymous for None)."""

    def login(user):
        if user is not None:
            client.force_login(user)
            if two_factor_required(user):
                verify_second_factor(client, user)
        return client

    return login


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, signed in with its second factor too."""
    client.force_login(admin_user)
    verify_second_factor(client, admin_user)
    return client


@pytest.fixture
def singapore(db):
    return State.objects.get(iso3="SGP")


@pytest.fixture
def published_statement(db):
    """Micronesia's statement of 10 October 2024, from the seed."""
    return PositionStatement.objects.published().get(state__iso3="FSM")
