"""Public pages are cached and never stale: a publish, an import or a revert
shows at once; browsers may reuse a page briefly and get 304 when unchanged."""

import re

import pytest
from django.core.cache import caches
from django.utils import timezone

from states import page_cache
from states.choices import ChangeKind, RecordKind
from states.models import DataEpoch, PositionStatement, PublishedChange
from states.page_cache import SharedDataVersion, database_version
from states.per_version import kept
from tests.helpers import import_rows, redis_for_tests, statement_form

STATEMENTS = "/admin/states/positionstatement/"
PAGE = "/states/FSM/"


def test_an_anonymous_visitor_gets_a_public_cacheable_page_with_an_etag(client, db):
    response = client.get(PAGE)
    assert "public" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]
    # The data's version, the code's release, the day, the address, the encoding.
    assert re.fullmatch(r'"[\w.]+-[0-9a-f]{8}-\d{4}-\d{2}-\d{2}-[0-9a-f]{32}-plain"', response["ETag"])


def test_a_repeat_visit_with_the_etag_gets_a_304(client, db):
    etag = client.get(PAGE)["ETag"]
    response = client.get(PAGE, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_a_cached_page_costs_one_small_query(client, db, django_assert_num_queries):
    first = client.get(PAGE).content
    with django_assert_num_queries(1):  # the data version
        assert client.get(PAGE).content == first


def test_staff_are_never_served_from_the_cache_nor_told_to_cache(client, as_user, publisher):
    client.get(PAGE)
    response = as_user(publisher).get(PAGE)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "ETag" not in response


def test_a_publish_shows_at_once_on_a_cached_page(client, as_user, publisher, published_statement):
    before = client.get(PAGE)
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/change/",
        statement_form(published_statement, summary="A summary published just now."),
    )
    client.logout()
    after = client.get(PAGE, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "A summary published just now." in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_revert_shows_at_once_on_a_cached_page(client, as_user, publisher, published_statement):
    original = published_statement.summary
    url = f"{STATEMENTS}{published_statement.pk}/change/"
    as_user(publisher).post(url, statement_form(published_statement, summary="A mistake."))
    client.logout()
    assert "A mistake." in client.get(PAGE).content.decode()
    published_statement.refresh_from_db()
    earlier = published_statement.history.filter(summary=original).first()
    as_user(publisher).post(
        f"{STATEMENTS}{published_statement.pk}/history/{earlier.history_id}/",
        statement_form(published_statement, summary=original, change_reason="Reverted the mistake"),
    )
    client.logout()
    page = client.get(PAGE).content.decode()
    assert "A mistake." not in page and original in page


def test_an_import_shows_at_once_on_a_cached_page(client, publisher, singapore, source):
    assert "Imported just now." not in client.get("/states/SGP/").content.decode()
    import_rows(
        publisher, ["SGP", "2026-11-20", "day", "PrepCom", "Imported just now.", "", "supports", source.url, "primary"]
    )
    assert PositionStatement.objects.filter(summary="Imported just now.").exists()
    assert "Imported just now." in client.get("/states/SGP/").content.decode()


def publish_summary(statement, publisher, summary, capture_on_commit_callbacks):
    """A publisher's new summary, with what runs once it commits (the news to Redis)."""
    with capture_on_commit_callbacks(execute=True):
        statement.summary = summary
        statement.save_change_by(publisher, "Test")


@pytest.fixture
def shared_cache(monkeypatch):
    """As with several app servers: the data's version lives in Redis."""
    monkeypatch.setattr(page_cache, "shared_version", SharedDataVersion(redis_for_tests(4)))


def test_with_a_shared_cache_a_cached_page_needs_no_query(client, shared_cache, db, django_assert_num_queries):
    first = client.get(PAGE).content
    with django_assert_num_queries(0):
        assert client.get(PAGE).content == first


def test_with_a_shared_cache_a_publish_shows_once_it_commits(
    client, shared_cache, publisher, published_statement, django_capture_on_commit_callbacks
):
    before = client.get(PAGE)
    publish_summary(
        published_statement, publisher, "Published with a shared cache.", django_capture_on_commit_callbacks
    )
    after = client.get(PAGE, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "Published with a shared cache." in after.content.decode()


@pytest.fixture
def shared_pages(monkeypatch):
    """As with several app servers: rendered pages are shared in Redis."""
    pages = page_cache.SharedPages(redis_for_tests(5))
    monkeypatch.setattr(page_cache, "shared_pages", pages)
    return pages


def as_another_process():
    """Its own memory, empty: no page, no work kept for the data version."""
    caches["pages"].clear()
    kept.forget()
    page_cache.stored_paths.clear()


def test_with_redis_a_page_one_process_rendered_is_served_by_another_without_a_render(
    client, shared_pages, db, django_assert_num_queries
):
    first = client.get(PAGE)
    as_another_process()
    with django_assert_num_queries(1):  # the data version: no render
        again = client.get(PAGE)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    with django_assert_num_queries(1):  # kept in this process too, and served before the middleware
        assert client.get(PAGE).content == first.content


def test_a_page_redis_holds_from_before_a_publish_is_never_served(
    client, shared_pages, publisher, published_statement, django_capture_on_commit_callbacks
):
    before = client.get(PAGE)
    summary = "Published while Redis held the old page."
    publish_summary(published_statement, publisher, summary, django_capture_on_commit_callbacks)
    as_another_process()
    after = client.get(PAGE)
    assert after["ETag"] != before["ETag"]
    assert "Published while Redis held the old page." in after.content.decode()


def test_a_value_in_redis_that_is_not_a_stored_page_is_rendered_afresh_never_a_500(client, shared_pages, db):
    first = client.get(PAGE)
    _etag, key = page_cache.page_identity(first.wsgi_request, database_version())
    for damaged in (b"no newline at all", b"{not json\n<html>", b"\xff\xfe\n"):
        shared_pages.client.set(shared_pages.PREFIX + key, damaged)
        as_another_process()
        again = client.get(PAGE)
        assert again.status_code == 200 and again.content == first.content


def test_with_redis_down_a_page_is_rendered_and_kept_in_the_process(client, db, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(page_cache, "shared_pages", page_cache.SharedPages("redis://127.0.0.1:1/0"))
    first = client.get(PAGE)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        assert client.get(PAGE).content == first.content


def test_the_page_cache_has_room_for_every_public_address_in_every_language(client, db, settings):
    # The sitemap lists every page in every language; the API and the embeds are as many again.
    pages = client.get("/sitemap.xml").content.decode().count("<loc>")
    room = settings.CACHES["pages"]["OPTIONS"]["MAX_ENTRIES"]
    assert pages > 100 and room >= pages * 2 * 2 * 10  # compressed and not; ten times today's states


def a_public_change():
    """A change committed by another server, without its news reaching Redis."""
    return PublishedChange.objects.create(
        made_at=timezone.now(), kind=ChangeKind.CHANGED, record_kind=RecordKind.STATE, title="Elsewhere"
    )


def test_a_change_announced_on_one_server_is_read_at_once_by_another(db, django_assert_num_queries):
    url = redis_for_tests(4)
    publishing, reading = SharedDataVersion(url), SharedDataVersion(url)
    before = reading.current()
    a_public_change()
    with django_assert_num_queries(0):  # no news yet: the version it knows, without asking
        assert reading.current() == before
    publishing.announce_change()
    with django_assert_num_queries(1):  # the news arrives on its socket, and it asks the database
        after = reading.current()
    assert after != before and after == database_version()


def test_the_version_lives_in_the_database_so_emptying_redis_changes_nothing(db):
    url = redis_for_tests(4)
    reading = SharedDataVersion(url)
    before = reading.current()
    reading.client.flushdb()
    reading.read_at -= SharedDataVersion.RECHECK_SECONDS
    assert reading.current() == before == database_version()


def test_sites_on_two_databases_of_one_redis_do_not_hear_each_others_changes(db, django_assert_num_queries):
    this_site, other_site = SharedDataVersion(redis_for_tests(4)), SharedDataVersion(redis_for_tests(5))
    this_site.current()
    other_site.current()
    other_site.announce_change()
    with django_assert_num_queries(0):
        this_site.current()


def test_a_change_whose_news_was_lost_is_read_within_seconds(db):
    reading = SharedDataVersion(redis_for_tests(4))
    before = reading.current()
    a_public_change()
    assert reading.current() == before
    reading.read_at -= SharedDataVersion.RECHECK_SECONDS  # as if that long had passed
    assert reading.current() == database_version() != before


def test_a_restore_moves_the_version_even_when_the_changes_look_the_same(db):
    before = database_version()
    DataEpoch.begin_anew()
    assert database_version() != before
    assert database_version().split(".")[1:] == before.split(".")[1:]


def test_a_deploy_that_changes_the_pages_but_not_the_data_matches_no_etag_from_before(client, db, monkeypatch):
    before = client.get(PAGE)
    monkeypatch.setattr(page_cache, "release", lambda: "a-new-release")  # new templates, wording or code
    after = client.get(PAGE, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    again = client.get(PAGE, headers={"if-none-match": after["ETag"]})
    assert again.status_code == 304


def test_the_release_is_read_from_the_code_the_pages_are_drawn_with(settings, tmp_path):
    for folder in ("templates", "locale", "states", "static"):
        (tmp_path / folder).mkdir()
    (tmp_path / "templates" / "page.html").write_text("Old wording")
    settings.BASE_DIR = tmp_path
    page_cache.release.cache_clear()
    first = page_cache.release()
    (tmp_path / "templates" / "page.html").write_text("New wording")
    page_cache.release.cache_clear()
    assert page_cache.release() != first
    page_cache.release.cache_clear()  # the next test reads the real one


def test_while_redis_is_down_pages_are_still_cached_under_the_databases_version(
    client, db, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(page_cache, "shared_version", SharedDataVersion("redis://127.0.0.1:1/0"))
    first = client.get(PAGE)
    assert first.status_code == 200 and first["ETag"].startswith(f'"{database_version()}-')
    with django_assert_num_queries(1):  # the version, from the database
        assert client.get(PAGE).content == first.content


def test_while_redis_is_down_a_publish_succeeds_and_shows_at_once(
    client, as_user, publisher, published_statement, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "shared_version", SharedDataVersion("redis://127.0.0.1:1/0"))
    before = client.get(PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(publisher).post(
            f"{STATEMENTS}{published_statement.pk}/change/",
            statement_form(published_statement, summary="Published while Redis was down."),
        )
    assert response.status_code == 302
    client.logout()
    after = client.get(PAGE, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and "Published while Redis was down." in after.content.decode()


def test_a_page_served_from_the_cache_still_has_every_security_header(client, db):
    first = client.get(PAGE)
    again = client.get(PAGE)
    assert again.content == first.content
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header], header


def test_a_parameter_the_page_does_not_read_is_served_from_the_cache(client, db, django_assert_num_queries):
    first = client.get("/", {"utm_source": "newsletter"})
    with django_assert_num_queries(1):  # the data version: no render
        again = client.get("/", {"zz": "a crawler's random value"})
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert "utm_source" not in first.content.decode() and "zz" not in again.content.decode()


def test_as_of_is_keyed_by_the_date_it_means(client, db, django_assert_num_queries):
    client.get(PAGE, {"as_of": "2026-11-29"})
    with django_assert_num_queries(2):  # the data version, twice: no render
        client.get(PAGE, {"as_of": " 2026-11-29 "})
        client.get(PAGE, {"as_of": ["1999-01-01", "2026-11-29"]})  # the page reads the last
    client.get(PAGE)
    with django_assert_num_queries(1):  # today's date is the page of today
        client.get(PAGE, {"as_of": timezone.localdate().isoformat()})


def test_parameters_the_page_reads_still_make_pages_of_their_own(client, db):
    whole, west = client.get("/"), client.get("/", {"view": "west_asia"})
    assert whole["ETag"] != west["ETag"]
    assert client.get("/", {"view": "west_asia", "zz": "1"})["ETag"] == west["ETag"]


def test_a_site_answering_at_two_names_gives_each_its_own_links(client, db, settings):
    settings.ALLOWED_HOSTS = ["cah.example", "www.cah.example"]
    client.get("/states/PHL/", HTTP_HOST="cah.example")
    page = client.get("/states/PHL/", HTTP_HOST="www.cah.example").content.decode()
    assert "http://www.cah.example/embed/state/PHL/" in page and "//cah.example/" not in page


def test_a_host_the_site_does_not_answer_to_is_refused_even_for_a_cached_page(client, db, settings):
    settings.ALLOWED_HOSTS = ["cah.example"]
    assert client.get("/", HTTP_HOST="cah.example").status_code == 200
    assert client.get("/", HTTP_HOST="cah.example").status_code == 200  # from the cache
    assert client.get("/", HTTP_HOST="attacker.example").status_code == 400


def test_a_malformed_as_of_is_refused_and_never_stored(client, db):
    for _ in range(2):
        response = client.get(PAGE, {"as_of": "2026-13-45"})
        assert response.status_code == 400 and "ETag" not in response


def test_a_cache_that_fails_to_store_a_page_costs_the_visitor_nothing(client, db, monkeypatch, settings):
    settings.PUBLIC_PAGE_CACHE = False
    rendered = client.get(PAGE).content
    settings.PUBLIC_PAGE_CACHE = True

    def refuse(*args, **kwargs):
        raise ConnectionError("the cache is full or gone")

    monkeypatch.setattr(page_cache.caches["pages"], "set", refuse)
    response = client.get(PAGE)
    assert response.status_code == 200 and response.content == rendered
