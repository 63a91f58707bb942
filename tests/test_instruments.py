"""Treaties besides the Rome Statute, each with the rules its text states, on
a state's profile: status, date, source and evidence, correct as of past
dates, and "not yet researched" where nobody has looked."""

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError

from states.choices import Publication, TreatyActionType, TreatyStatus
from states.models import State, Treaty, TreatyAction
from tests.helpers import amendments_of, day, downloaded_package


@pytest.fixture
def amendments(rome_statute, source):
    """An amendment of the Rome Statute with the Kampala amendments' rules (art. 121(5))."""
    return amendments_of(
        rome_statute,
        source,
        slug="test-amendments",
        short_name="Test amendments",
        title="Test amendments to the Rome Statute",
        adopted_on=day("2010-06-11"),
        entry_into_force_article="art. 121(5)",
    )


def record(state, treaty, action_type, date, source):
    action = TreatyAction(
        state=state,
        treaty=treaty,
        action_type=action_type,
        date=day(date),
        source=source,
        verification="secondary",
        publication=Publication.PUBLISHED,
    )
    action.full_clean()
    action.clean_across_rows()
    action.save()
    return action


def instrument_on(client, state, treaty, as_of=None):
    """The profile's words for ``treaty``: its status, then the rest of its entry."""
    page = client.get(f"/states/{state.iso3}/", {"as_of": as_of} if as_of else {}).content.decode()
    entry = re.search(rf"<dt>{re.escape(treaty.short_name)}</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert entry, f"no entry for {treaty.short_name}"
    status = re.search(rf'id="instrument-{treaty.slug}" data-status="(\w+)"', entry.group(1)).group(1)
    return status, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", entry.group(1)))


def test_a_ratification_of_an_amendment_shows_on_the_profile_in_force_a_year_to_the_day_later(
    client, make_state, rome_statute, amendments, source
):
    state = make_state()
    record(state, rome_statute, TreatyActionType.ACCESSION, "2003-02-10", source)
    record(state, amendments, TreatyActionType.RATIFICATION, "2012-09-25", source)
    status, words = instrument_on(client, state, amendments)
    assert status == "state_party"
    assert "Ratification 25 September 2012" in words
    assert "In force for this state from 25 September 2013 (art. 121(5))" in words
    assert "A test record" in words and "Secondary source" in words
    assert instrument_on(client, state, amendments, "2013-09-24")[0] == "joined_not_in_force"
    assert instrument_on(client, state, amendments, "2012-01-01")[0] == "non_party"
    timeline = client.get(f"/states/{state.iso3}/").content.decode()
    assert "Test amendments: Ratification" in timeline
    assert "Test amendments: Enters into force for" in timeline


def test_a_state_nobody_has_checked_under_a_partly_researched_treaty_is_not_yet_researched_never_a_non_party(
    client, make_state, amendments, source
):
    state, checked = make_state(), make_state()
    status, words = instrument_on(client, state, amendments)
    assert status == "not_yet_researched"
    assert "this is not a finding that it has none" in words
    record(checked, amendments, TreatyActionType.NONE_FOUND, "2026-11-30", source)
    status, words = instrument_on(client, checked, amendments, "2020-01-01")
    assert status == "non_party"  # checked in 2026: no action then, nor before
    assert "Checked: no action by this state 30 November 2026" in words


def test_a_treaty_researched_for_every_state_counts_a_state_with_no_record_as_a_non_party(
    client, make_state, amendments
):
    amendments.every_state_researched = True
    amendments.save()
    assert instrument_on(client, make_state(), amendments)[0] == "non_party"


def test_a_treaty_whose_rules_are_unread_never_says_in_force_and_says_why(client, make_state, source):
    convention = Treaty.objects.create(
        slug="test-convention",
        short_name="Test convention",
        title="A test convention",
        adopted_on=day("2023-05-26"),
        source=source,
    )
    state = make_state()
    record(state, convention, TreatyActionType.SIGNATURE, "2024-06-24", source)
    record(state, convention, TreatyActionType.RATIFICATION, "2025-06-24", source)
    status, words = instrument_on(client, state, convention)
    assert status == "joined_not_in_force"
    assert "the treaty's rule is still to be read" in words
    assert "In force" not in words


@pytest.fixture
def convention(source):
    """A convention still being negotiated: no adoption date, no rules yet."""
    return Treaty.objects.create(
        slug="test-cah", short_name="Test CAH convention", title="T", outlook="conference 2028–2029", source=source
    )


def test_a_treaty_not_yet_adopted_says_so_in_words_on_the_profile_never_not_yet_researched(
    client, make_state, convention
):
    status, words = instrument_on(client, make_state(), convention)
    assert status == "not_yet_open"
    assert "Not yet open for signature ; conference 2028–2029" in words
    assert "not yet researched" not in words.lower()


def test_the_overview_says_a_treaty_not_yet_adopted_is_not_yet_open_with_what_comes_next(client, convention):
    page = client.get("/").content.decode()
    section = page[page.index('id="instrument-test-cah"') :]
    assert "Not yet open for signature; conference 2028–2029." in section[: section.index("</p>")]


def test_no_state_can_act_under_a_treaty_not_yet_adopted(make_state, convention, source):
    with pytest.raises(ValidationError, match="has not been adopted"):
        record(make_state(), convention, TreatyActionType.SIGNATURE, "2026-11-30", source)


def test_no_state_can_act_under_a_treaty_before_its_adoption(make_state, convention, source):
    convention.adopted_on = day("2029-06-01")
    convention.save()
    with pytest.raises(ValidationError, match="adopted on 2029-06-01"):
        record(make_state(), convention, TreatyActionType.SIGNATURE, "2029-05-31", source)


def test_the_day_a_convention_opens_staff_record_its_adoption_and_a_signature_with_no_code_change(
    client, make_state, convention, source
):
    signed, unrecorded = make_state(), make_state()
    convention.adopted_on = day("2029-06-01")
    convention.save()
    record(signed, convention, TreatyActionType.SIGNATURE, "2029-06-02", source)

    status, words = instrument_on(client, signed, convention, as_of="2029-06-03")
    assert (status, "Signature 2 June 2029" in words) == ("signatory", True)
    assert instrument_on(client, unrecorded, convention, as_of="2029-06-03")[0] == "not_yet_researched"
    overview = client.get("/", {"as_of": "2029-06-03"}).content.decode()
    assert re.search(r'id="instrument-test-cah-signatory" value="(\d+)"', overview).group(1) == "1"


def test_the_api_gives_each_instrument_with_its_status_entry_into_force_and_actions(
    client, make_state, rome_statute, amendments, source
):
    state = make_state()
    record(state, rome_statute, TreatyActionType.ACCESSION, "2003-02-10", source)
    record(state, amendments, TreatyActionType.RATIFICATION, "2012-09-25", source)
    instruments = client.get(f"/api/v1/states/{state.iso3}/", {"as_of": "2013-09-24"}).json()["instruments"]
    [mine] = [instrument for instrument in instruments if instrument["treaty"] == amendments.slug]
    assert (mine["status"], mine["entry_into_force"]) == ("joined_not_in_force", "2013-09-25")
    assert [(action["action_type"], action["date"]) for action in mine["actions"]] == [("ratification", "2012-09-25")]
    # Under the other treaties it has no record: nobody looked (or the treaty is not open yet).
    assert {i["status"] for i in instruments if i is not mine} <= {"not_yet_researched", "not_yet_open"}


def test_the_data_package_carries_each_instruments_actions_and_rules(
    client, make_state, rome_statute, amendments, source
):
    state = make_state()
    record(state, rome_statute, TreatyActionType.ACCESSION, "2003-02-10", source)
    record(state, amendments, TreatyActionType.RATIFICATION, "2012-09-25", source)
    package = downloaded_package(client)
    actions = list(csv.DictReader(io.TextIOWrapper(package.open("treaty_actions.csv"), encoding="utf-8")))
    assert {"state": state.iso3, "treaty": amendments.slug, "date": "2012-09-25"}.items() <= next(
        row for row in actions if row["treaty"] == amendments.slug
    ).items()
    treaties = list(csv.DictReader(io.TextIOWrapper(package.open("treaties.csv"), encoding="utf-8")))
    mine = next(row for row in treaties if row["slug"] == amendments.slug)
    assert (mine["entry_into_force_rule"], mine["open_only_to_parties_of"], mine["has_signature_step"]) == (
        "period_after_deposit",
        rome_statute.slug,
        "false",
    )


def test_a_headline_treaty_marked_not_researched_for_every_state_counts_the_unresearched_and_pages_still_answer(
    client, make_state, rome_statute
):
    rome_statute.every_state_researched = False  # staff untick it: states with no record are not yet researched
    rome_statute.save()
    unresearched = make_state()
    figures = State.objects.filter(pk=unresearched.pk).figures(rome_statute)
    assert figures.treaty_status_counts[TreatyStatus.NOT_YET_RESEARCHED] == 1
    assert figures.treaty_status_evidence[TreatyStatus.NOT_YET_RESEARCHED].total == 1
    for path in ("/", "/states/", f"/states/{unresearched.iso3}/", "/api/v1/figures/", "/embed/map/"):
        assert client.get(path).status_code == 200, path


def test_a_new_treaty_and_one_action_appear_on_the_profile_map_api_csv_and_data_package_with_no_code_change(
    client, make_state, source
):
    """What the README says a new treaty takes: its row, with its rules, and its actions."""
    treaty = Treaty.objects.create(
        slug="new-treaty",
        short_name="New treaty",
        title="A new treaty",
        adopted_on=day("2026-01-15"),
        entered_into_force_on=day("2026-03-01"),
        entry_into_force_period=30,
        entry_into_force_period_unit="days",
        entry_into_force_rule="first_of_month_after",
        source=source,
    )
    state = make_state()
    record(state, treaty, TreatyActionType.ACCESSION, "2026-04-10", source)  # 30 days: 10 May, so 1 June

    assert instrument_on(client, state, treaty)[0] == "state_party"

    # The map's layer: made-up states have no shape to draw, so its legend says it (the one State Party).
    for page in (client.get("/", {"map": "new_treaty"}), client.get("/embed/map/", {"layer": "new_treaty"})):
        legend = re.search(r'<li data-category="state_party">.*?<data value="(\d+)">', page.content.decode(), re.S)
        assert "New treaty" in page.content.decode() and legend.group(1) == "1"

    [mine] = [
        i for i in client.get(f"/api/v1/states/{state.iso3}/").json()["instruments"] if i["treaty"] == treaty.slug
    ]
    assert (mine["status"], mine["entry_into_force"]) == ("state_party", "2026-06-01")

    rows = list(csv.DictReader(io.StringIO(client.get("/states/export.csv").content.decode())))
    [csv_row] = [row for row in rows if row["iso3"] == state.iso3]
    assert (csv_row["new_treaty_status"], csv_row["new_treaty_status_label"]) == ("state_party", "State Party")
    assert csv_row["new_treaty_source"] == source.url

    package = downloaded_package(client)
    actions = package.open("treaty_actions.csv").read().decode()
    assert f"{state.iso3},new-treaty,accession,2026-04-10" in actions.replace('"', "")

    # The table: its menu, its column and its sort key; the embeddable figure; the API's list.
    table = client.get("/states/", {"treaty": "new_treaty", "treaty_status": "state_party", "sort": "-new_treaty"})
    assert re.findall(r'<th scope="row"><a href="/states/(\w+)/">', table.content.decode()) == [state.iso3]
    assert '<td data-label="New treaty">State Party</td>' in table.content.decode()
    figure = client.get("/embed/figure/new-treaty-parties/").content.decode()
    assert re.search(r'<data[^>]* value="1">', figure) and "States Parties to the New treaty" in figure
    listed = client.get("/api/v1/states/", {"treaty": "new_treaty", "treaty_status": "state_party"}).json()
    [mine] = [i for i in listed["results"][0]["standing"]["instruments"] if i["treaty"] == treaty.slug]
    assert (listed["count"], mine["status"]) == (1, "state_party")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"treaty_status": "state_party"}, "Choose the treaty this status is under"),
        ({"treaty": "no_such_treaty"}, "Select a valid choice"),
        ({"sort": "no_such_treaty"}, "sort"),
    ],
)
def test_a_treaty_filter_or_sort_the_table_cannot_apply_is_refused_with_a_clear_message(
    client, amendments, query, message
):
    response = client.get("/states/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_check_that_found_no_action_cannot_contradict_a_recorded_action(client, make_state, amendments, source):
    state = make_state()
    record(state, amendments, TreatyActionType.NONE_FOUND, "2020-01-01", source)
    record(state, amendments.open_only_to_parties_of, TreatyActionType.ACCESSION, "2003-02-10", source)
    with pytest.raises(ValidationError, match="A check on 2020-01-01 found no action by"):
        record(state, amendments, TreatyActionType.RATIFICATION, "2019-06-01", source)
    later = make_state()
    record(later, amendments.open_only_to_parties_of, TreatyActionType.ACCESSION, "2003-02-10", source)
    record(later, amendments, TreatyActionType.RATIFICATION, "2012-09-25", source)
    with pytest.raises(ValidationError, match="cannot have found no action"):
        record(later, amendments, TreatyActionType.NONE_FOUND, "2026-11-30", source)
    # A check before a state acted is no contradiction: it joined later.
    record(later, amendments, TreatyActionType.NONE_FOUND, "2011-01-01", source)
