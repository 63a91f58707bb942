"""Corrections from readers: a form with no account and no JavaScript,
protected against forgery and spam, that staff find in the research queue."""

import pytest
from django.core import mail
from django.test import Client

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
