"""Email alerts, tried against a real SMTP server (aiosmtpd on a free local
port): a reader subscribes through the page, confirms through the link that
arrives, a Publisher publishes, and the alert arrives in the reader's
language with both parts and a working one-click unsubscribe."""

import email
import email.policy
import re
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from alerts.models import Delivery, DeliveryStatus, Subscription
from alerts.tasks import send_weekly_digests
from states.choices import TreatyActionType
from states.models import PositionStatement, Treaty
from tests.helpers import free_port, new_statement_form, publish_from_its_page, published_action

STATEMENTS = "/admin/states/positionstatement/"


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def inbox(settings, db):
    received = Inbox()
    server = Controller(received, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.SITE_URL = "http://testserver"
    yield received
    server.stop()


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, kind):
    return re.search(rf"http://testserver(/[a-z/]*alerts/{kind}/[^/\s]+/)", text_of(message)).group(1)


def subscribe(client, capture, language="", **choices):
    values = {"email": "reader@example.org", "follows": "everything", "frequency": "immediate", **choices}
    with capture(execute=True):
        return client.post(f"{language}/alerts/", values)


def publish_a_statement(as_user, editor, publisher, state, source, capture, **changes):
    as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(state, source, **changes))
    draft = PositionStatement.objects.drafts().get(state=state)
    with capture(execute=True):
        assert publish_from_its_page(as_user(publisher), STATEMENTS, draft).status_code == 302


def confirmed(client, inbox):
    path = link_in(inbox.messages[-1], "confirm")
    assert "Start my alerts" in client.get(path).content.decode() or client.get(path).status_code == 200
    assert client.post(path).status_code == 200


def test_a_reader_confirmed_in_indonesian_gets_the_alert_in_indonesian_and_unsubscribes_in_one_click(
    client, as_user, editor, publisher, make_state, source, inbox, django_capture_on_commit_callbacks
):
    state = make_state()
    response = subscribe(client, django_capture_on_commit_callbacks, "/id", follows="states", states=[state.iso3])
    assert response.status_code == 302 and response["Location"] == "/id/alerts/sent/"
    [confirmation] = inbox.messages
    assert confirmation["To"] == "reader@example.org"
    assert "Konfirmasi" in confirmation["Subject"]
    assert "List-Unsubscribe" not in confirmation  # nothing to stop yet
    path = link_in(confirmation, "confirm")
    assert path.startswith("/id/alerts/confirm/")
    assert client.get(path).status_code == 200
    assert not Subscription.objects.get().is_confirmed  # opening the link (a mail scanner might) confirms nothing
    assert client.post(path).status_code == 200
    assert Subscription.objects.get().is_confirmed

    publish_a_statement(as_user, editor, publisher, state, source, django_capture_on_commit_callbacks)
    client.logout()
    [_confirmation, alert] = inbox.messages
    assert state.name in alert["Subject"]
    assert alert.get_content_type() == "multipart/alternative"
    assert "Apa yang berubah:" in text_of(alert) and "Apa yang berubah:" in html_of(alert)
    assert f"http://testserver/id/states/{state.iso3}/" in text_of(alert)
    unsubscribe = link_in(alert, "unsubscribe")
    assert alert["List-Unsubscribe"].strip() == f"<http://testserver{unsubscribe}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2

    # A mail program's one-click unsubscribe (RFC 8058): a POST with no form token.
    response = client.post(unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscription.objects.exists() and not Delivery.objects.exists()  # the address is gone

    PositionStatement.objects.filter(state=state).delete()
    publish_a_statement(as_user, editor, publisher, state, source, django_capture_on_commit_callbacks)
    assert len(inbox.messages) == 2  # nothing more after unsubscribing


def test_a_draft_sends_nothing_and_other_states_changes_are_not_sent(
    client, as_user, editor, publisher, make_state, source, inbox, django_capture_on_commit_callbacks
):
    followed, other = make_state(), make_state()
    subscribe(client, django_capture_on_commit_callbacks, follows="states", states=[followed.iso3])
    confirmed(client, inbox)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(editor).post(f"{STATEMENTS}add/", new_statement_form(followed, source))
    assert len(inbox.messages) == 1  # a draft is not published: no alert
    publish_a_statement(as_user, editor, publisher, other, source, django_capture_on_commit_callbacks)
    assert len(inbox.messages) == 1


def test_a_confirmation_link_expires_after_48_hours(client, inbox, django_capture_on_commit_callbacks):
    subscribe(client, django_capture_on_commit_callbacks)
    path = link_in(inbox.messages[0], "confirm")
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        response = client.post(path)
    assert response.status_code == 410 and "no longer works" in response.content.decode()
    assert not Subscription.objects.get().is_confirmed
    assert client.post(path[:-6] + "xxxxx/").status_code == 410  # a key tampered with


def test_a_publish_commits_when_the_mail_server_is_down_and_staff_see_the_failed_send(
    client, as_user, editor, publisher, make_state, source, inbox, settings, django_capture_on_commit_callbacks
):
    state = make_state()
    subscribe(client, django_capture_on_commit_callbacks)
    confirmed(client, inbox)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    publish_a_statement(as_user, editor, publisher, state, source, django_capture_on_commit_callbacks)
    assert PositionStatement.objects.published().filter(state=state).exists()
    failed = Delivery.objects.get(kind="alert")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1
    assert "ConnectionRefusedError" in failed.last_error


def test_a_weekly_subscriber_gets_one_digest_of_the_weeks_changes(
    client, as_user, editor, publisher, make_state, source, inbox, django_capture_on_commit_callbacks
):
    state = make_state()
    subscribe(client, django_capture_on_commit_callbacks, frequency="weekly")
    confirmed(client, inbox)
    publish_a_statement(as_user, editor, publisher, state, source, django_capture_on_commit_callbacks)
    assert len(inbox.messages) == 1  # no immediate alert
    send_weekly_digests.enqueue()
    [_confirmation, digest] = inbox.messages
    assert state.name in text_of(digest) and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    send_weekly_digests.enqueue()
    assert len(inbox.messages) == 2  # nothing new since


def test_sign_ups_are_limited_per_address(client, inbox, django_capture_on_commit_callbacks):
    for _attempt in range(3):
        assert subscribe(client, django_capture_on_commit_callbacks).status_code == 302
    refused = subscribe(client, django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and "Try again tomorrow" in refused.content.decode()
    assert Subscription.objects.count() == 3


def test_sign_ups_are_limited_site_wide(client, inbox, settings, django_capture_on_commit_callbacks):
    settings.ALERT_SIGN_UPS_PER_HOUR = 2
    for number in range(2):
        subscribe(client, django_capture_on_commit_callbacks, email=f"reader{number}@example.org")
    refused = subscribe(client, django_capture_on_commit_callbacks, email="late@example.org")
    assert refused.status_code == 429 and "Try again in an hour" in refused.content.decode()


def test_a_choice_that_names_nothing_is_refused_with_a_clear_message(client, db):
    page = client.post("/alerts/", {"email": "reader@example.org", "follows": "states", "frequency": "immediate"})
    assert page.status_code == 400 and "Choose at least one state" in page.content.decode()
    page = client.post("/alerts/", {"email": "not an address", "follows": "everything", "frequency": "weekly"})
    assert page.status_code == 400
    assert not Subscription.objects.exists()


def test_an_unknown_unsubscribe_link_is_404_and_posting_it_deletes_nothing(client, db):
    assert client.get("/alerts/unsubscribe/nothing-here/").status_code == 404
    assert client.post("/alerts/unsubscribe/nothing-here/").status_code == 200


def test_a_profiles_link_starts_the_form_with_its_state_chosen(client, make_state):
    state = make_state()
    profile = client.get(f"/states/{state.iso3}/").content.decode()
    assert f'href="/alerts/?states={state.iso3}"' in profile
    form = client.get("/alerts/", {"states": state.iso3}).content.decode()
    assert re.search(rf'value="{state.iso3}"[^>]*checked', form)
    assert 'value="states"' in form and re.search(r'value="states"[^>]*checked', form)


def test_the_cached_pages_link_to_alerts_and_carry_no_form_token(client, db):
    for path in ("/", "/changes/"):
        page = client.get(path).content.decode()
        assert 'href="/alerts/"' in page and "csrfmiddlewaretoken" not in page
    assert "we keep only what sending them needs" in client.get("/alerts/privacy/").content.decode()


@pytest.fixture
def database_queue(settings):
    """The task backend ``make serve`` uses: a queue in the database, run by ``manage.py db_worker``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_the_worker():
    """What ``manage.py db_worker --batch`` does: claim each task that is due
    and run it with the worker's own ``run_task``. Not its loop, which closes
    the database connection between tasks (Django's request behaviour): on
    PostgreSQL that would end the transaction this test runs in."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (due := DBTaskResult.objects.ready().get_locked()) is not None:
        due.claim(worker.worker_id)
        worker.run_task(due)


def test_with_the_database_queue_mail_waits_for_the_worker(
    client, inbox, database_queue, django_capture_on_commit_callbacks
):
    subscribe(client, django_capture_on_commit_callbacks)
    assert inbox.messages == []  # queued, not sent in the request
    run_the_worker()
    [confirmation] = inbox.messages
    assert "/alerts/confirm/" in text_of(confirmation)


def test_with_the_database_queue_a_failed_send_is_tried_again_later(
    client, inbox, database_queue, settings, django_capture_on_commit_callbacks
):
    listening = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the mail server is down
    subscribe(client, django_capture_on_commit_callbacks)
    run_the_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert inbox.messages == []
    settings.EMAIL_PORT = listening  # back up
    run_the_worker()
    assert inbox.messages == []  # the retry waits its turn (five minutes)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        run_the_worker()
    assert len(inbox.messages) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""


def test_a_reader_following_one_treatys_actions_hears_of_them_and_of_no_other_treatys(
    client, make_state, rome_statute, source, inbox, django_capture_on_commit_callbacks
):
    other = Treaty.objects.create(
        slug="test-mla", short_name="Test MLA", title="T", adopted_on="2023-05-26", source=source
    )
    subscribe(client, django_capture_on_commit_callbacks, follows="topic", topic="treatyaction", treaty="rome-statute")
    confirmed(client, inbox)
    assert Subscription.objects.get().treaty == rome_statute
    state = make_state()
    with django_capture_on_commit_callbacks(execute=True):
        published_action(state, other, TreatyActionType.SIGNATURE, "2024-02-14", source)
    assert len(inbox.messages) == 1  # the other treaty's signature: nothing
    with django_capture_on_commit_callbacks(execute=True):
        published_action(state, rome_statute, TreatyActionType.ACCESSION, "2025-02-14", source)
    [_confirmation, alert] = inbox.messages
    assert state.name in alert["Subject"]


def test_a_treaty_is_kept_only_for_a_kind_of_change_under_one(client, db, django_capture_on_commit_callbacks):
    subscribe(
        client, django_capture_on_commit_callbacks, follows="topic", topic="positionstatement", treaty="rome-statute"
    )
    assert Subscription.objects.get().treaty is None


@pytest.mark.parametrize("odd", ["%00", "%C2%A0", "%D9%A1%D9%A2", "x" * 3000, "%F0%9F%98%80"])
def test_an_odd_link_key_is_a_4xx_never_a_500(client, db, odd):
    for path in (f"/alerts/unsubscribe/{odd}/", f"/alerts/confirm/{odd}/"):
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path
