"""What staff should check next: the research queue, verification stamps and
the derived columns of the admin's state list."""

import re

from states.choices import Verification
from states.models import Treaty
from tests.helpers import day

STATEMENTS = "/admin/states/positionstatement/"


def test_mark_verified_stamps_who_and_when(as_user, publisher, published_statement):
    as_user(publisher).post(STATEMENTS, {"action": "mark_verified", "_selected_action": [published_statement.pk]})
    published_statement.refresh_from_db()
    assert published_statement.verified_by == publisher
    assert published_statement.verification == Verification.PRIMARY
    assert published_statement.last_verified_on is not None


def researched_for(page, heading):
    """The state names listed under ``heading`` on the research queue."""
    found = re.search(rf"<h2>{re.escape(heading)}: \d+ states? not yet researched</h2>\s*<p>(.*?)</p>", page, re.S)
    assert found, heading
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', found.group(1))


def test_research_queue_lists_unresearched_states_and_unverified_facts(as_user, editor, client, make_state, source):
    state = make_state()
    Treaty.objects.create(
        slug="test-partial",
        short_name="A partly researched treaty",
        title="T",
        adopted_on=day("2023-05-26"),
        source=source,
    )
    page = as_user(editor).get("/admin/research-queue/").content.decode()
    for heading in ("Position on a convention", "Written comments (res. 77/249)", "A partly researched treaty"):
        assert state.name in researched_for(page, heading), heading
    assert "<h2>Rome Statute: " not in page  # every state's Rome Statute actions were researched
    assert "Facts never verified against the primary record" in page
    assert "Facts not re-verified for 12 months" in page
    client.logout()
    assert client.get("/admin/research-queue/").status_code == 302


def test_state_list_in_admin_shows_derived_columns(as_user, publisher):
    page = as_user(publisher).get("/admin/states/state/?q=Philippines").content.decode()
    assert "Withdrawn" in page
    assert "Supports negotiations with reservations" in page
