import datetime
import io
from itertools import product
from string import ascii_uppercase

import pytest
from django.core.management import call_command

from states.models import (
    ROME_STATUTE,
    CountingRule,
    Source,
    State,
    Subregion,
    Treaty,
    UNMembership,
    UNRegionalGroup,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real seed data once into the test database; each test then
    runs inside a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_seed", stdout=io.StringIO())


@pytest.fixture
def rome_statute(db):
    return Treaty.objects.get(slug=ROME_STATUTE)


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


def day(text):
    return datetime.date.fromisoformat(text)
