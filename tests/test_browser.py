"""The public pages in a real browser: Debian's chromium driven by Playwright.

Each test checks that nothing is requested from another site, that the page
logs no error, and (where it says so) that axe-core finds no serious or
critical accessibility violation.
"""

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers import FROZEN_SEED, PASSWORD, spelt_as_in_english, staff_user, untranslated_text

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # made between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        # Not for the processes later tests start: Django's deploy check refuses it.
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the seed data (a transactional test starts empty)."""
    call_command("load_seed", "--dir", str(FROZEN_SEED), stdout=io.StringIO())
    return live_server.url


class Visit:
    """A page in a fresh browser context that records what would be a failure."""

    def __init__(self, browser, site, width=1280, bypass_csp=False):
        self.site = site
        # axe-core is injected as an inline script, which the site's policy forbids: only its visits bypass it.
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.offsite, self.errors = [], []
        self.page.on("request", self._request)
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request):
        if not request.url.startswith(self.site) and not request.url.startswith("data:"):
            self.offsite.append(request.url)

    def open(self, path, status=200):
        response = self.page.goto(self.site + path)
        assert response.status == status, path
        return self.page

    def axe_violations(self):
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['target']}"
            for violation in result["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]

    def assert_clean(self):
        assert self.offsite == [], "requests to other sites"
        # A 400 or 404 page is logged by the browser as a failed load; nothing else may be.
        errors = [error for error in self.errors if "status of 400" not in error and "status of 404" not in error]
        assert errors == [], "console errors"

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def make(width=1280, bypass_csp=False):
        visits.append(Visit(browser, site, width, bypass_csp))
        return visits[-1]

    yield make
    for opened in visits:
        opened.close()


def headline(page):
    return page.locator("#rome-statute-parties").get_attribute("value")


def test_changing_the_date_changes_the_headline_figure(visit):
    visitor = visit()
    page = visitor.open("/?as_of=2019-03-16")
    assert headline(page) == "19"
    page.fill("#as_of", "2019-03-17")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_of=2019-03-17")
    assert headline(page) == "18"
    assert page.get_by_text("as of 17 March 2019").first.is_visible()
    visitor.assert_clean()


def test_filtering_the_table_and_downloading_its_csv(visit):
    visitor = visit()
    page = visitor.open("/states/?as_of=2023-04-13")
    page.select_option("#id_in_counting_rule", "yes")
    page.select_option("#id_status", "state_party")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=state_party**")
    names = page.locator("table.states tbody th a").all_inner_texts()
    assert len(names) == 19
    with page.expect_download() as download:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [row["name"] for row in rows] == names
    visitor.assert_clean()


def test_following_a_map_link_to_a_state_with_the_keyboard(visit):
    visitor = visit()
    page = visitor.open("/?as_of=2023-04-13")
    # An archipelago's middle is sea, so follow the link as a keyboard user does.
    page.locator('#map a[aria-label^="Philippines: Withdrawn"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/states/PHL/")
    assert page.locator("h1").inner_text().startswith("Philippines")
    visitor.assert_clean()


def test_switching_the_map_to_positions_without_javascript(browser, site):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/?as_of=2026-11-29")
    page.get_by_role("link", name="Position on a convention").click()
    # The click returns once the new address commits, before its map is parsed: wait for the page.
    page.wait_for_url("**map=position**")
    micronesia = page.locator('#map a[aria-label="Micronesia (Federated States of): Supports a convention"]')
    expect(micronesia).to_have_count(1)
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/?as_of=2023-04-13",
        "/?map=position",
        "/states/",
        "/states/PHL/",
        "/compare/?states=PHL,IDN,MYS",
        "/convention/",
        "/about/",
        "/accessibility/",
        "/changes/",
        "/corrections/new/?state=PHL",
        "/?as_of=2023-02-30",
        "/states/XYZ/",
    ],
)
@pytest.mark.parametrize("width", [360, 1280])
def test_page_has_no_serious_accessibility_violation_and_fits_the_screen(visit, path, width):
    visitor = visit(width, bypass_csp=True)
    status = {"/?as_of=2023-02-30": 400, "/states/XYZ/": 404}.get(path, 200)
    page = visitor.open(path, status)
    assert visitor.axe_violations() == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    visitor.assert_clean()


@pytest.mark.parametrize("path", ["/?as_of=2023-04-13", "/states/PHL/", "/corrections/new/", "/admin/login/"])
def test_pages_break_no_rule_of_their_content_security_policy(visit, path):
    visitor = visit()
    visitor.open(path)
    assert not [error for error in visitor.errors if "Content Security Policy" in error]
    visitor.assert_clean()


def test_a_feed_opened_in_the_browser_reads_as_a_page_that_says_how_to_follow_it(visit):
    from playwright.sync_api import expect

    visitor = visit()
    page = visitor.open("/changes/feed/")
    expect(page.get_by_role("heading", name="How to follow these changes")).to_be_visible()
    expect(page.get_by_role("heading", name="Latest changes")).to_be_visible()
    expect(page.get_by_label("The feed's address")).to_have_value(re.compile(r"^http://.+/changes/feed/$"))
    assert page.locator(".feed-entries li").count() >= 1
    visitor.assert_clean()  # a page of the site: no XSLT, so no browser banner, and nothing the policy refuses


def test_on_a_phone_the_states_parties_chart_fits_the_screen_from_first_year_to_last(visit):
    visitor = visit(width=390)
    page = visitor.open("/?as_of=2026-11-29")
    assert not page.locator("svg.chart-wide").is_visible()
    chart = page.locator("svg.chart-narrow")
    frame = chart.bounding_box()
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 390
    ticks = chart.locator("text.tick").all()  # the counts up the side, then the years from 1998 to today
    assert ticks[-1].text_content() == "2026"
    for tick in ticks:
        box = tick.bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    size = chart.locator("text.tick").first.evaluate("tick => tick.getBoundingClientRect().height")
    assert size >= 10  # letters a phone can read, not the wide chart shrunk to 7 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visitor.assert_clean()


# The gaps between the main heading's box and its text, on the left and the right.
HEADING_TEXT_MARGINS = """() => {
    const heading = document.querySelector("main h1"), words = document.createRange();
    words.selectNodeContents(heading);
    const box = heading.getBoundingClientRect(), text = words.getBoundingClientRect();
    return {left: text.left - box.left, right: box.right - text.right};
}"""


@pytest.mark.parametrize("language", ["id", "th", "ar"])
@pytest.mark.parametrize("width", [360, 1280])
def test_overview_profile_and_table_read_whole_in_each_language(visit, language, width):
    """Translated throughout, accessible, no sideways scroll; Arabic right to left."""
    visitor = visit(width, bypass_csp=True)
    same_names = spelt_as_in_english(language)
    for path in ["/", "/states/PHL/", "/states/"]:
        english = visitor.context.request.get(visitor.site + path).text()
        page = visitor.open(f"/{language}{path}")
        assert untranslated_text(page.content(), english, same_names) == [], path
        assert visitor.axe_violations() == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        direction = page.evaluate("getComputedStyle(document.body).direction")
        assert direction == ("rtl" if language == "ar" else "ltr")
        # The heading's words start at the right edge of its box in Arabic, at the left in the others.
        margins = page.evaluate(HEADING_TEXT_MARGINS)
        assert (margins["right"] if language == "ar" else margins["left"]) < 2, path
    visitor.assert_clean()


@pytest.mark.parametrize("iso3", ["PHL", "SGP", "BGD"])
def test_state_profile_prints_as_a_one_page_brief(visit, iso3):
    visitor = visit()
    page = visitor.open(f"/states/{iso3}/?as_of=2026-11-29")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    visitor.assert_clean()


@pytest.fixture
def users(site):
    """An Editor and a Publisher in the live server's database, with the coalition's roles."""
    call_command("setup_roles", stdout=io.StringIO())
    return {"Editor": staff_user("ed_lim", "Editor"), "Publisher": staff_user("pub_tan", "Publisher")}


def sign_in(browser, site, user):
    """Sign in as a person does: password, then (for those who must) the code from their authenticator app."""
    from django_otp.oath import TOTP

    from states.admin_site import two_factor_required
    from tests.helpers import second_factor_device

    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    if two_factor_required(user):
        device = second_factor_device(user)
        page.wait_for_url("**/admin/two-factor/**")
        page.fill("#id_token", str(TOTP(device.bin_key).token()).zfill(6))
        page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return context, page


def choose_autocomplete(page, field, text):
    """Pick from the admin's autocomplete (select2) widget as a person would."""
    page.click(f"#{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_an_editors_statement_goes_public_only_when_a_publisher_publishes_it(browser, site, visit, users):
    from playwright.sync_api import expect

    public = visit()
    profile = public.open("/states/SGP/?as_of=2026-11-29").content()
    overview = public.open("/?as_of=2026-11-29")
    supports_before = int(overview.locator("#positions-supports").get_attribute("value"))
    assert "Non-committal" in profile

    # The editor records a new statement for Singapore.
    context, page = sign_in(browser, site, users["Editor"])
    page.goto(site + "/admin/states/positionstatement/add/")
    choose_autocomplete(page, "id_state", "Singapore")
    page.fill("#id_date", "2026-11-20")
    page.fill("#id_forum", "Preparatory Committee, second session")
    page.fill("#id_summary", "Called for the convention to be adopted in 2029.")
    page.fill("#id_quote", "adopt the convention")
    page.select_option("#id_position", "supports")
    page.select_option("#id_whose_words", "own_words")
    choose_autocomplete(page, "id_source", "78th session (11 October 2023)")
    page.select_option("#id_verification", "primary")
    page.fill("#id_change_reason", "New Singapore statement at the PrepCom")
    page.click("input[name=_save]")
    expect(page.get_by_text("Saved as a draft")).to_be_visible()
    context.close()

    # The public sees no change yet.
    assert public.open("/states/SGP/?as_of=2026-11-29").content() == profile

    # The publisher publishes it.
    context, page = sign_in(browser, site, users["Publisher"])
    page.goto(site + "/admin/states/positionstatement/?publication__exact=draft")
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    # The confirmation shows the draft as it will be published.
    expect(page.get_by_text("Called for the convention to be adopted in 2029.").first).to_be_visible()
    page.click("input[value='Publish what is shown']")
    expect(page.get_by_text("Published 1 draft.")).to_be_visible()
    context.close()

    # Now the profile, the list of changes and the overview figures show it.
    page = public.open("/states/SGP/?as_of=2026-11-29")
    assert page.locator("#convention-position").inner_text() == "Supports a convention"
    expect(page.get_by_text("Preparatory Committee, second session").first).to_be_visible()
    changes = public.open("/changes/")
    first_row = changes.locator("table.changes tbody tr").first.inner_text()
    assert "Singapore" in first_row and "New Singapore statement at the PrepCom" in first_row
    overview = public.open("/?as_of=2026-11-29")
    assert int(overview.locator("#positions-supports").get_attribute("value")) == supports_before + 1
    public.assert_clean()


def draft_statement_of_singapore(editor, summary):
    """An editor's draft, as the add form saves it (the form itself is tested above)."""
    from states.models import PositionStatement, Source, State

    draft = PositionStatement(
        state=State.objects.get(iso3="SGP"),
        date="2026-11-21",
        forum="Preparatory Committee, second session",
        summary=summary,
        position="non_committal",
        source=Source.objects.order_by("pk").first(),
    )
    draft.save_change_by(editor, "Found at the PrepCom")
    return draft


def test_a_publisher_never_publishes_a_draft_swapped_after_they_read_it(browser, site, visit, users):
    """Issue 18: the editor rewrites the draft while the publisher has its review page open."""
    from playwright.sync_api import expect

    draft = draft_statement_of_singapore(users["Editor"], "Wording A.")
    review_url = f"{site}/admin/states/positionstatement/{draft.pk}/change/"
    publisher_context, review = sign_in(browser, site, users["Publisher"])
    review.goto(review_url)
    expect(review.locator(".review-comparison").get_by_text("Wording A.")).to_be_visible()

    editor_context, edit = sign_in(browser, site, users["Editor"])
    edit.goto(review_url)
    edit.fill("#id_summary", "Wording B.")
    edit.select_option("#id_position", "supports")
    edit.fill("#id_change_reason", "Better wording")
    edit.click("input[name=_save]")
    expect(edit.get_by_text("was changed successfully")).to_be_visible()
    editor_context.close()

    # The publisher presses Publish on the page that still shows wording A.
    review.click("button[name=decision][value=publish]")
    expect(review.get_by_text("Nothing was published: this draft changed after you opened it.")).to_be_visible()
    expect(review.locator(".messagelist")).to_contain_text("“Wording A.” → “Wording B.”")
    expect(review.locator(".review-comparison").get_by_text("Wording B.")).to_be_visible()
    public = visit()
    assert "Wording B." not in public.open("/states/SGP/").content()

    # Having read wording B, the publisher may publish it.
    review.click("button[name=decision][value=publish]")
    expect(review.get_by_text("Published. The public pages show it now.")).to_be_visible()
    publisher_context.close()
    assert "Wording B." in public.open("/states/SGP/").content()


def test_revert_from_the_history_page_asks_why_and_works(browser, site, visit, users):
    """Issue 18: an editor's revert becomes a draft, a publisher's goes public."""
    from playwright.sync_api import expect

    from states.models import PositionStatement

    draft = draft_statement_of_singapore(users["Editor"], "First wording.")
    statement = draft.publish(by=users["Publisher"])
    statement.summary = "Second wording."
    statement._change_reason = "Reworded"
    statement.save()
    first = statement.history.filter(summary="First wording.", publication="published").earliest()
    revert_url = f"{site}/admin/states/positionstatement/{statement.pk}/history/{first.history_id}/"

    for role, outcome in (("Editor", "Saved as a draft"), ("Publisher", "was changed successfully")):
        context, page = sign_in(browser, site, users[role])
        page.goto(revert_url)
        expect(page.locator("#id_summary")).to_have_value("First wording.")
        page.click("input[name=_save]")  # without a reason: told what is missing, on the field
        expect(page.locator(".change-reason.errors")).to_contain_text("This field is required.")
        page.fill("#id_change_reason", f"Back to the first wording ({role})")
        page.click("input[name=_save]")
        expect(page.get_by_text(outcome).first).to_be_visible()
        context.close()
        public = visit()
        changes = public.open("/changes/").content()
        shown = public.open("/states/SGP/").content()
        if role == "Editor":
            assert "Second wording." in shown and "First wording." not in shown
            assert "Back to the first wording (Editor)" not in changes
            PositionStatement.objects.filter(draft_of=statement).delete()  # the publisher declines it
        else:
            assert "First wording." in shown and "Second wording." not in shown
            assert "Back to the first wording (Publisher)" in changes


def test_a_reader_files_a_correction_and_staff_find_it_in_the_research_queue(browser, site, visit, users):
    editor = users["Editor"]

    reader = visit(360)
    page = reader.open("/states/PHL/")
    page.get_by_role("link", name="Report a correction (Philippines)").click()
    page.wait_for_url("**/corrections/new/?state=PHL")
    assert not page.locator("#id_website").is_visible()  # the honeypot is for bots only
    page.fill("#id_fact", "Withdrawal date")
    page.fill("#id_what_is_wrong", "The page should say the withdrawal took effect on 17 March 2019, as the ICC says.")
    page.fill("#id_source_url", "https://www.icc-cpi.int/news/icc-statement-philippines")
    page.get_by_role("button", name="Send the correction").click()
    page.wait_for_url("**/corrections/sent/**")
    reference = page.locator("#correction-reference").inner_text()
    assert reference.startswith("C-")
    reader.assert_clean()

    context, staff_page = sign_in(browser, site, editor)
    staff_page.goto(site + "/admin/research-queue/")
    row = staff_page.locator("#corrections tr", has_text=reference)
    assert "Philippines: Withdrawal date" in row.inner_text()
    assert "New" in row.inner_text()
    context.close()


def test_review_with_clicks_only_sent_back_revised_and_published(browser, site, visit, users):
    from playwright.sync_api import expect

    public = visit()
    overview = public.open("/?as_of=2026-11-29")
    supports_before = int(overview.locator("#positions-supports").get_attribute("value"))

    # The editor changes Malaysia's position, with a reason.
    editor, page = sign_in(browser, site, users["Editor"])
    page.get_by_role("link", name="Position statements").first.click()
    page.get_by_role("link", name=re.compile("^Malaysia")).first.click()
    page.select_option("#id_position", "non_committal")
    page.fill("#id_change_reason", "Malaysia's 2025 statement hedges")
    page.click("input[name=_save]")
    expect(page.get_by_text("Saved as a draft")).to_be_visible()

    # The publisher finds it waiting, sees what changed and why, and sends it back.
    publisher, page = sign_in(browser, site, users["Publisher"])
    page.get_by_role("link", name="Waiting for review: 1 draft").click()
    page.get_by_role("link", name=re.compile("^Malaysia")).first.click()
    panel = page.locator(".review-panel")
    expect(panel.locator("del")).to_have_text("Supports a convention")
    expect(panel.locator("ins")).to_have_text("Non-committal")
    expect(panel).to_contain_text("Proposed by ed_lim")
    expect(panel).to_contain_text("Malaysia's 2025 statement hedges")
    page.fill("#review-note", "Please quote the statement in the public note.")
    page.get_by_role("button", name="Send back with a note").click()
    expect(page.get_by_text("Sent back to its editor")).to_be_visible()

    # The editor sees the note and revises the draft.
    page = editor.new_page()
    page.goto(site + "/admin/")
    page.get_by_role("link", name="Waiting for review").first.click()
    expect(page.get_by_text("Please quote the statement in the public note.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Malaysia")).first.click()
    expect(page.locator(".review-panel")).to_contain_text("Sent back:")
    page.fill("#id_public_note", "Malaysia said it was “studying the draft articles carefully”.")
    page.fill("#id_change_reason", "Malaysia's 2025 statement hedges; quoted")
    page.click("input[name=_save]")
    expect(page.get_by_text("Saved as a draft")).to_be_visible()

    # The publisher publishes it from the draft's page.
    page = publisher.new_page()
    page.goto(site + "/admin/")
    page.get_by_role("link", name="Waiting for review: 1 draft").click()
    page.get_by_role("link", name=re.compile("^Malaysia")).first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. The public pages show it now.")).to_be_visible()
    editor.close()
    publisher.close()

    # The profile, the overview figure and the list of changes show it; no staff names.
    profile = public.open("/states/MYS/?as_of=2026-11-29")
    assert profile.locator("#convention-position").inner_text() == "Non-committal"
    overview = public.open("/?as_of=2026-11-29")
    assert int(overview.locator("#positions-supports").get_attribute("value")) == supports_before - 1
    changes = public.open("/changes/")
    first_row = changes.locator("table.changes tbody tr").first.inner_text()
    assert "Malaysia" in first_row and "Malaysia's 2025 statement hedges; quoted" in first_row
    assert "ed_lim" not in changes.content() and "pub_tan" not in changes.content()
    public.assert_clean()


@pytest.mark.parametrize("language", ["", "/id", "/th", "/ar"])
def test_a_partner_site_frames_an_embedded_figure_but_not_the_site_itself(browser, site, visit, language):
    """A page on another origin (another port of 127.0.0.1) frames an embed,
    the map embed and the overview, in each language the site speaks."""
    import http.server
    import threading

    partner_page = (
        f'<!doctype html><title>Partner</title><iframe id="figure" src="{site}{language}/embed/figure/'
        f'rome-statute-parties/" width="400" height="150"></iframe><iframe id="map" src="{site}{language}/embed/map/"'
        f' width="600" height="400"></iframe><iframe id="overview" src="{site}{language}/" width="400" height="150">'
        "</iframe>"
    ).encode()

    class Partner(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(partner_page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.wait_for_load_state("networkidle")
        figure = page.frame_locator("#figure").locator("p.figure data")
        assert re.fullmatch(r"\d+", figure.inner_text())
        # The map is framed with every small state's marker (coordinates written with a dot).
        markers = page.frame_locator("#map").locator("svg#map circle.marker")
        markers.first.wait_for()  # a frame may still be parsing when the network falls idle
        assert markers.count() > 10
        overview_frame = page.frame_locator("#overview").locator("body")
        # Refused: the browser shows its own error page, not the site.
        assert page.frame_locator("#overview").locator("#rome-statute-parties").count() == 0
        assert "CAH Tracker" not in overview_frame.inner_text(timeout=5000)
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_on_a_phone_every_bar_of_the_bar_charts_is_whole_and_its_label_readable(visit):
    visitor = visit(width=390)
    page = visitor.open("/?as_of=2026-11-29")
    bars = page.locator("figure.bars svg.bar")
    assert bars.count() >= 2
    for index in range(bars.count()):
        bar = bars.nth(index)
        frame = bar.bounding_box()
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 390
        for rect in bar.locator("rect").all():
            box = rect.bounding_box()
            assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    label_size = page.locator("figure.bars .bar-label").first.evaluate("label => getComputedStyle(label).fontSize")
    assert float(label_size.removesuffix("px")) >= 14
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visitor.assert_clean()
