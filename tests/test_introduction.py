"""The site introduces itself to search engines and browsers: a sitemap of
every public page in every language, a description on each page, an icon."""

import re

from states.models import State
from states.sitemaps import PublicPages


def test_the_sitemap_lists_every_public_page_and_profile_in_each_language_with_its_translations(client, db):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    sitemap = response.content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    for path in ("/", "/id/", "/th/", "/ar/", "/states/", "/ar/convention/", "/next-steps/", "/about/", "/alerts/"):
        assert f"http://testserver{path}" in locations, path
    assert len(locations) == 4 * (len(PublicPages().items()) + State.objects.count())
    assert '<xhtml:link rel="alternate" hreflang="th" href="http://testserver/th/states/PHL/"/>' in sitemap
    assert "/admin/" not in sitemap


def test_crawlers_are_told_where_the_sitemap_is(client, db):
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_sites_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_each_page_describes_itself_for_search_results(client, db):
    overview = client.get("/").content.decode()
    profile = client.get("/states/PHL/").content.decode()
    assert '<meta name="description" content="Where each Asian state stands on the Rome Statute' in overview
    assert '<meta name="description" content="Where Philippines stands on the Rome Statute' in profile


def test_every_page_says_who_runs_the_site_and_how_to_reach_them(client, db, settings):
    footer = client.get("/states/").content.decode()
    assert "CAH Tracker is run by the Asia Justice Coalition" in footer
    assert 'href="/corrections/new/">Contact us through the corrections form' in footer
    settings.ORGANISATION_NAME, settings.CONTACT_EMAIL = "Example Coalition", "desk@example.org"
    about = client.get("/about/", {"v": "after-the-settings-changed"}).content.decode()
    assert "CAH Tracker is run by the Example Coalition" in about and 'href="mailto:desk@example.org"' in about
    assert 'id="who"' in about
