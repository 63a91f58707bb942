"""Corrections from readers: a form with no account and no JavaScript,
protected against forgery and spam, that staff find in the research queue."""

import pytest
from django.core import mail
from django.test import Client

from states import views
from states.choices import CorrectionStatus
from states.models import CorrectionReport
from tests.helpers import staff_user

FORM = "/corrections/new/"


def correction(**changes):
    values = {
        "state": "PHL",
        "fact": "Rome Statute: Withdrawal notified",
        "what_is_wrong": "The withdrawal was deposited on 17 March 2018, not 16 March as a newspaper said.",
        "source_url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18",
        "email": "",
        "website": "",
    }
    values.update(changes)
    return values


def test_every_profile_about_and_footer_link_to_the_form(client, db):
    profile = client.get("/states/PHL/").content.decode()
    assert 'href="/corrections/new/?state=PHL"' in profile
    assert 'href="/corrections/new/?state=PHL&amp;fact=' in profile  # from a timeline entry
    assert 'href="/corrections/new/"' in client.get("/about/").content.decode()


def test_the_form_is_prefilled_from_where_the_reader_came_from(client, db):
    page = client.get(FORM, {"state": "phl", "fact": "17 March 2018, Withdrawal notified\x07"}).content.decode()
    assert '<option value="PHL" selected>Philippines</option>' in page
    assert 'value="17 March 2018, Withdrawal notified"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "<script" not in page


def test_a_correction_is_stored_given_a_reference_and_sent_to_staff(client, roles):
    publisher = staff_user("pub_with_mail", "Publisher")
    staff_user("no_role")  # staff in no group may not handle corrections: not told
    response = client.post(FORM, correction(email="reader@example.org"))
    report = CorrectionReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/corrections/sent/?reference={report.reference}"
    assert report.status == CorrectionStatus.NEW and report.state.iso3 == "PHL"
    page = client.get(response["Location"]).content.decode()
    assert f'<strong id="correction-reference">{report.reference}</strong>' in page
    [message] = mail.outbox
    assert message.to == [publisher.email]
    assert report.reference in message.subject and "17 March 2018" in message.body


def test_a_reader_writing_in_thai_gets_thai_pages_and_staff_get_english_mail(client, roles):
    staff_user("pub_reads_english", "Publisher")
    response = client.post(f"/th{FORM}", correction())
    report = CorrectionReport.objects.get()
    assert response["Location"] == f"/th/corrections/sent/?reference={report.reference}"
    assert "ขอบคุณ" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.subject == f"Correction {report.reference} from a reader"
    assert "It is waiting in the research queue of the staff site." in message.body
    assert "State: Philippines" in message.body


def test_the_form_refuses_a_post_without_its_csrf_token(db):
    response = Client(enforce_csrf_checks=True).post(FORM, correction())
    assert response.status_code == 403
    assert not CorrectionReport.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_is_wrong": ""}, "This field is required."),
        ({"what_is_wrong": "x" * 2001}, "at most 2000 characters"),
        (
            {"what_is_wrong": "https://spam.example/a http://spam.example/b www.spam.example"},
            "links alone cannot be checked",
        ),
        ({"source_url": "javascript:alert(document.cookie)"}, "Enter a valid URL."),
        ({"source_url": ""}, "This field is required."),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"website": "http://bot.example"}, "looks automated"),
        ({"state": "XXX"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, db, changes, message):
    response = client.post(FORM, correction(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CorrectionReport.objects.exists()


def test_an_address_sending_too_many_corrections_is_asked_to_wait(client, db):
    for _ in range(5):
        assert client.post(FORM, correction()).status_code == 302
    response = client.post(FORM, correction())
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()
    assert CorrectionReport.objects.count() == 5


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("fact", "Rome Statute\x1b[31m: accession"),
        ("fact", "Rome Statute\x9b31m: accession"),  # the one-byte C1 form of the same escape
        ("what_is_wrong", "The date is wrong \x1b[2J\x1b[H and the right one is 17 March 2018."),
        ("what_is_wrong", "The date is wrong\x08\x08\x08 and the right one is 17 March 2018."),
    ],
)
def test_control_characters_and_terminal_escapes_are_refused_with_a_clear_message(client, db, field, text):
    response = client.post(FORM, correction(**{field: text}))
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert not CorrectionReport.objects.exists()


def test_line_breaks_in_what_is_wrong_are_kept(client, db):
    text = "The date is wrong.\r\n\r\nThe right one is 17 March 2018, as the depositary says."
    assert client.post(FORM, correction(what_is_wrong=text)).status_code == 302
    assert "\n" in CorrectionReport.objects.get().what_is_wrong


def test_a_form_with_a_typo_does_not_count_against_the_readers_limit(client, db):
    for _ in range(10):
        assert client.post(FORM, correction(source_url="")).status_code == 400
    for _ in range(5):
        assert client.post(FORM, correction()).status_code == 302


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def from_reader(client, address, claimed=""):
    """A post through the proxy, which appends the address it got the request
    from to whatever the reader wrote in X-Forwarded-For."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return client.post(FORM, correction(), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_the_proxy_each_reader_has_a_limit_of_their_own(client, db, behind_one_proxy):
    for _ in range(5):
        assert from_reader(client, "198.51.100.7").status_code == 302
    assert from_reader(client, "198.51.100.7").status_code == 429
    assert from_reader(client, "198.51.100.8").status_code == 302  # another reader, same proxy


def test_a_reader_cannot_get_a_fresh_limit_by_writing_x_forwarded_for_themselves(client, db, behind_one_proxy):
    for number in range(5):
        assert from_reader(client, "198.51.100.7", claimed=f"192.0.2.{number}").status_code == 302
    assert from_reader(client, "198.51.100.7", claimed="192.0.2.99").status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, db):
    for number in range(5):
        assert client.post(FORM, correction(), HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code == 302
    assert client.post(FORM, correction(), HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_a_wave_from_many_addresses_meets_the_limit_for_everyone(client, db, monkeypatch):
    monkeypatch.setattr(views, "CORRECTIONS_FROM_EVERYONE", 3)
    for number in range(3):
        assert client.post(FORM, correction(), REMOTE_ADDR=f"198.51.100.{number}").status_code == 302
    response = client.post(FORM, correction(), REMOTE_ADDR="198.51.100.50")
    assert response.status_code == 429
    assert "taking no more reports this hour" in response.content.decode()
    assert CorrectionReport.objects.count() == 3


def test_the_limit_page_is_in_the_readers_language(client, db):
    for _ in range(5):
        client.post(f"/th{FORM}", correction())
    response = client.post(f"/th{FORM}", correction())
    assert response.status_code == 429
    assert '<html lang="th"' in response.content.decode()
    assert "Too many corrections" not in response.content.decode()


def test_staff_are_mailed_about_the_first_few_corrections_of_an_hour_not_a_wave(client, roles, monkeypatch):
    staff_user("pub_with_mail", "Publisher")
    monkeypatch.setattr(views, "CORRECTION_MAILS_PER_HOUR", 2)
    for number in range(4):
        assert client.post(FORM, correction(), REMOTE_ADDR=f"198.51.100.{number}").status_code == 302
    assert CorrectionReport.objects.count() == 4
    assert len(mail.outbox) == 2
    assert "this is the last mail about them for now" in mail.outbox[1].body
    assert "last mail" not in mail.outbox[0].body


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": settings.REDIS_TIMEOUTS,
        },
    }


def test_while_redis_is_down_corrections_are_still_taken(client, db, redis_down):
    assert client.post(FORM, correction()).status_code == 302
    assert CorrectionReport.objects.count() == 1


def test_while_redis_is_down_the_limit_for_everyone_is_counted_from_the_database(client, db, redis_down, monkeypatch):
    monkeypatch.setattr(views, "CORRECTIONS_FROM_EVERYONE", 2)
    for number in range(2):
        assert client.post(FORM, correction(), REMOTE_ADDR=f"198.51.100.{number}").status_code == 302
    assert client.post(FORM, correction(), REMOTE_ADDR="198.51.100.9").status_code == 429


def test_staff_see_corrections_in_the_research_queue_with_status_and_reply(client, as_user, editor):
    client.post(FORM, correction())
    report = CorrectionReport.objects.get()
    report.status, report.reply_note = CorrectionStatus.ACCEPTED, "Checked against the depositary record."
    report.save()
    page = as_user(editor).get("/admin/research-queue/").content.decode()
    assert report.reference in page
    assert "Accepted" in page and "Checked against the depositary record." in page


def test_staff_answer_a_correction_but_never_rewrite_what_the_reader_sent(client, as_user, editor):
    client.post(FORM, correction())
    report = CorrectionReport.objects.get()
    url = f"/admin/states/correctionreport/{report.pk}/change/"
    response = as_user(editor).post(
        url, {"status": "rejected", "reply_note": "The source gives 17 March.", "what_is_wrong": "rewritten"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == CorrectionStatus.REJECTED and report.what_is_wrong.startswith("The withdrawal")
    assert as_user(editor).get("/admin/states/correctionreport/add/").status_code == 403


@pytest.mark.parametrize("reference", ["", "C-1", "<script>", "C-00012x"])
def test_an_unknown_reference_page_is_404(client, db, reference):
    assert client.get("/corrections/sent/", {"reference": reference}).status_code == 404
