"""The JSON API for partners: the pages' own figures, published records only,
a clear 400 for a bad parameter, readable from any site, and a valid schema."""

import datetime
import gzip
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.throttling import AnonRateThrottle

from states.api import KeptForReaders
from states.choices import CountingRule
from states.models import PositionStatement, State, Treaty
from states.per_version import kept
from states.rules import Figures
from tests.helpers import new_statement_form, publish_from_its_page, statement_form

ENDPOINTS = [
    "/api/v1/states/",
    "/api/v1/states/PHL/",
    "/api/v1/figures/",
    "/api/v1/treaties/",
    "/api/v1/timeline/",
    "/api/v1/sources/",
    "/api/v1/changes/",
]


@pytest.mark.parametrize("as_of", ["2002-07-01", "2019-03-17", "2023-04-13", "2026-11-29"])
@pytest.mark.parametrize("rule", list(CountingRule))
def test_the_apis_figures_are_the_pages_figures(client, db, as_of, rule):
    figures = Figures(State.objects.standings(Treaty.objects.rome_statute(), datetime.date.fromisoformat(as_of)), rule)
    body = client.get("/api/v1/figures/", {"as_of": as_of, "rule": rule.value}).json()
    assert body["states_parties"] == figures.states_parties
    assert body["rome_statute"] == {str(key): value for key, value in figures.treaty_status_counts.items()}
    assert body["positions"] == {str(key): value for key, value in figures.position_counts.items()}
    assert body["total"] == figures.total
    if rule == CountingRule.ICC_ASIA_PACIFIC:
        overview = client.get("/", {"as_of": as_of}).content.decode()
        assert f'id="rome-statute-parties" value="{figures.states_parties}"' in overview


def test_the_state_list_filters_as_the_table_does(client, db):
    api = client.get("/api/v1/states/", {"status": "state_party", "as_of": "2026-11-29", "page_size": 500}).json()
    table = client.get("/states/", {"status": "state_party", "as_of": "2026-11-29"}).content.decode()
    assert f'<span id="state-count">{api["count"]} states</span>' in table
    assert all(state["standing"]["rome_statute_status"] == "state_party" for state in api["results"])


def test_a_draft_never_reaches_the_api(client, as_user, editor, published_statement):
    as_user(editor).post(
        f"/admin/states/positionstatement/{published_statement.pk}/change/",
        statement_form(published_statement, summary="DRAFT ONLY SUMMARY"),
    )
    assert PositionStatement.objects.drafts().filter(summary="DRAFT ONLY SUMMARY").exists()
    client.logout()
    body = client.get("/api/v1/states/FSM/").content.decode()
    assert "DRAFT ONLY SUMMARY" not in body and published_statement.summary in body


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_endpoint_shows_what_only_staff_see(client, db, url):
    body = client.get(url).content.decode()
    for name in ("research_note", "verified_by", "publication", "draft_of", "sent_back_note", "version"):
        assert f'"{name}":' not in body, (url, name)
    notes = PositionStatement.objects.exclude(research_note="").values_list("research_note", flat=True)
    assert not [note for note in notes if note[:60] in body]


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        ("/api/v1/figures/", {"as_of": "2023-02-30"}, "as_of"),
        ("/api/v1/figures/", {"rule": "everyone"}, "rule"),
        ("/api/v1/states/", {"status": "party"}, "status"),
        ("/api/v1/states/", {"as_of": "٢٠٢٣-٠٤-١٣"}, "as_of"),
        ("/api/v1/states/PHL/", {"as_of": "x" * 500}, "as_of"),
    ],
)
def test_a_bad_parameter_gets_a_400_whose_json_names_it(client, db, url, query, parameter):
    response = client.get(url, query)
    assert response.status_code == 400
    assert parameter in response.json()


def test_an_unknown_state_is_a_404_in_json(client, db):
    response = client.get("/api/v1/states/XYZ/")
    assert response.status_code == 404 and "detail" in response.json()


def test_any_site_may_read_the_api_from_a_browser_without_credentials(client, db):
    response = client.get("/api/v1/figures/", headers={"origin": "https://partner.example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"origin": "https://partner.example.org"})


def test_anonymous_use_is_throttled(client, db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/treaties/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_behind_the_proxy_each_reader_has_their_own_api_limit_whatever_they_write_in_x_forwarded_for(
    client, db, monkeypatch, settings
):
    settings.TRUSTED_PROXIES = 1
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    def get(reader, claimed):
        forwarded = f"{claimed}, {reader}"
        return client.get("/api/v1/treaties/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get("198.51.100.7", f"192.0.2.{number}") for number in range(4)] == [200, 200, 200, 429]
    assert get("198.51.100.8", "192.0.2.1") == 200


def test_the_schema_is_valid_openapi_and_describes_every_field(client, db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = client.get("/api/v1/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    assert schema["openapi"].startswith("3.")
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undescribed == []
    assert "state_party" in schema["components"]["schemas"]["TreatyStatusEnum"]["enum"]
    assert "not_yet_researched" in schema["components"]["schemas"]["TreatyStatusEnum"]["enum"]


def test_the_docs_work_offline(client, db):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "//cdn" not in page and "unpkg" not in page


@pytest.mark.parametrize("code", ["%00", "P%00L", "9" * 40, "٣٣٣"])
def test_a_state_address_that_is_no_iso_code_is_a_404_never_a_500(client, db, code):
    # A NUL byte reached PostgreSQL and gave a 500 before the route took ISO codes only.
    assert client.get(f"/api/v1/states/{code}/").status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_number_of_states(client, db):
    def queries(**query):
        kept.forget()  # each a first render of this data version (states.per_version)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/states/", query).status_code == 200
        return len(captured)

    assert queries(page_size=2) == queries(page_size=500)


def test_the_api_root_lists_every_endpoint_its_schema_and_its_docs(client, db):
    """The README gives /api/v1/ as the API's address (issue 19)."""
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    links = response.json()
    assert set(links) == {
        "states",
        "statements",
        "figures",
        "next_steps",
        "treaties",
        "timeline",
        "sources",
        "changes",
        "schema",
        "docs",
    }
    for name, link in links.items():
        assert link.startswith("http://testserver/"), name
        assert client.get(link.removeprefix("http://testserver")).status_code == 200, name


def test_a_schema_version_that_could_break_a_header_is_a_400_that_says_so(client, db):
    response = client.get("/api/v1/schema/", {"version": "\r\nX-Injected: yes"})
    assert response.status_code == 400
    assert "letters, digits, dots and dashes" in response.content.decode()
    assert "X-Injected" not in response


# Every route of the API, its root, schema and docs included.
API_ROUTES = ["/api/v1/", *ENDPOINTS, "/api/v1/schema/", "/api/docs/"]


@pytest.mark.parametrize("url", API_ROUTES)
def test_options_on_every_api_route_answers_without_an_error(client, db, url):
    response = client.options(url)
    assert response.status_code in (200, 204)
    assert "GET" in response["Allow"]


def test_every_statement_of_a_state_is_listed_a_page_at_a_time(client, db):
    singapore = client.get("/api/v1/states/SGP/").json()
    listed = client.get(singapore["statements_url"]).json()
    assert listed["count"] == singapore["statements_count"] == len(singapore["statements"])
    assert {statement["state"] for statement in listed["results"]} == {"SGP"}
    assert [statement["date"] for statement in listed["results"]] == [s["date"] for s in singapore["statements"]]


@pytest.mark.parametrize("code", ["PH", "PHLL", "P1L", "١٢٣"])
def test_a_statements_filter_that_is_no_iso_code_is_a_400_that_says_so(client, db, code):
    response = client.get("/api/v1/statements/", {"state": code})
    assert response.status_code == 400 and "ISO3" in response.json()["state"][0]


def test_an_answer_is_kept_until_a_publish_changes_the_data(client, as_user, editor, publisher, make_state, source):
    state = make_state()
    path = f"/api/v1/statements/?state={state.iso3}"
    assert client.get(path).json()["count"] == 0
    with CaptureQueriesContext(connection) as again:
        kept_answer = client.get(path, headers={"origin": "https://partner.example.org"})
    assert kept_answer.json()["count"] == 0 and len(again) == 1, [query["sql"] for query in again]  # the data version
    assert kept_answer["Access-Control-Allow-Origin"] == "*"

    as_user(editor).post("/admin/states/positionstatement/add/", new_statement_form(state, source))
    draft = PositionStatement.objects.drafts().get(state=state)
    assert publish_from_its_page(as_user(publisher), "/admin/states/positionstatement/", draft).status_code == 302
    client.logout()
    assert client.get(path).json()["count"] == 1


def test_a_kept_answer_is_a_304_for_a_reader_who_has_it(client, db):
    first = client.get("/api/v1/figures/")
    again = client.get("/api/v1/figures/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert "public" in first["Cache-Control"] and "must-revalidate" in first["Cache-Control"]


def test_a_malformed_parameter_is_answered_afresh_each_time_never_kept(client, db):
    for _ in range(2):
        response = client.get("/api/v1/figures/", {"as_of": "2024-13-45"})
        assert response.status_code == 400 and "as_of" in response.json()
        assert "ETag" not in response


def test_a_kept_answer_is_sent_compressed_to_a_reader_who_accepts_it(client, db):
    plain = client.get("/api/v1/states/")
    client.get("/api/v1/states/", HTTP_ACCEPT_ENCODING="gzip")
    compressed = client.get("/api/v1/states/", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip" and gzip.decompress(compressed.content) == plain.content


def test_every_parameter_the_schema_documents_is_one_a_kept_answer_is_keyed_by(client, db):
    """A parameter left out of a view's ``reads`` would be dropped before the
    lookup, and every value of it would get the same kept answer."""
    schema = client.get("/api/v1/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    left_out = {}
    for path, operations in schema["paths"].items():
        view = resolve(path.replace("{iso3}", "PHL")).func.view_class
        if not issubclass(view, KeptForReaders):
            continue
        documented = {parameter["name"] for parameter in operations["get"].get("parameters", [])
                      if parameter["in"] == "query"}  # fmt: skip
        if documented - set(view.reads):
            left_out[path] = documented - set(view.reads)
    assert left_out == {}


def test_a_made_up_parameter_gets_the_kept_answer_and_takes_no_room(client, db):
    first = client.get("/api/v1/figures/", {"rule": "all_tracked"})
    with CaptureQueriesContext(connection) as again:
        made_up = client.get("/api/v1/figures/", {"rule": "all_tracked", "zz": "1"})
    assert made_up.content == first.content and made_up["ETag"] == first["ETag"] and len(again) == 1
    assert client.get("/api/v1/figures/").json()["rule"] != first.json()["rule"]  # what it reads still counts
