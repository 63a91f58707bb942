"""Builders that tests share: dates, staff accounts, made-up facts, the form
data the admin posts. Fixtures live in conftest.py; plain functions live here."""

import datetime
import io
import os
import re
import socket
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
import tablib
from django.conf import settings
from django.contrib.auth.models import Group, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from states.choices import (
    ConventionPosition,
    DatePrecision,
    EntryIntoForceRule,
    PeriodUnit,
    Publication,
    SubmissionStatus,
    TreatyActionType,
    Verification,
    WhoseWords,
)
from states.models import (
    CoalitionAsk,
    PositionStatement,
    PublishedChange,
    State,
    Treaty,
    TreatyAction,
    WrittenSubmission,
)
from states.resources import PositionStatementResource
from states.state_names import translated_name
from states.views import CHANGES_PER_PAGE

PASSWORD = "a long enough password"

# What the code tests load instead of the live seed/ (see its README): new
# research in seed/ is for the seed tests (tests/test_seed_*.py) to check.
FROZEN_SEED = Path(__file__).parent / "frozen_seed"


def day(text):
    return datetime.date.fromisoformat(text)


# The Kampala amendments' rules (Rome Statute art. 121(5)): in force for a
# state exactly one year after its deposit, with no signature step.
AMENDMENT_RULES = {
    "entry_into_force_period": 1,
    "entry_into_force_period_unit": PeriodUnit.YEARS,
    "entry_into_force_rule": EntryIntoForceRule.PERIOD_AFTER_DEPOSIT,
    "has_signature_step": False,
}


def amendments_of(statute, source, **fields):
    """Made-up amendments that only ``statute``'s parties may join, with the Kampala amendments' rules."""
    fields = {"adopted_on": day("2010-06-11"), **fields}  # the Kampala amendments' day
    return Treaty.objects.create(open_only_to_parties_of=statute, source=source, **AMENDMENT_RULES, **fields)


def second_factor_device(user):
    """The user's authenticator app: a confirmed TOTP device (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def verify_second_factor(client, user):
    """Sign ``client``'s session in with a second factor, as staff who must have one do."""
    device = second_factor_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def staff_user(name, group=None, **extra):
    user = User.objects.create_user(name, f"{name}@example.org", PASSWORD, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def public_urls():
    """Every public address, with each state's profile and each map layer (needs the seed)."""
    codes = list(State.objects.order_by("iso3").values_list("iso3", flat=True))
    urls = ["/", "/?map=position", "/?map=submission", "/?as_of=2019-03-17", "/states/", "/states/export.csv"]
    urls += [f"/states/{code}/" for code in codes]
    urls += [f"/compare/?states={','.join(codes[i : i + 8])}" for i in range(0, len(codes), 8)]
    urls += [
        "/convention/",
        "/convention/?as_of=2020-01-01",
        "/about/",
        "/accessibility/",
        "/changes/",
        "/changes/feed/",
        "/changes/feed/rss/",
        "/states/PHL/feed/",
        "/data/",
    ]
    pages = -(-PublishedChange.objects.count() // CHANGES_PER_PAGE)
    urls += [f"/changes/?page={number}" for number in range(2, pages + 1)]
    return urls


def free_port():
    """A port nothing listens on now, for a server a test starts (or for one that must find nothing)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Published facts for made-up states ----------------------------------------------


def published_action(state, treaty, action_type, on, source, **extra):
    return TreatyAction.objects.create(
        publication=Publication.PUBLISHED,
        state=state,
        treaty=treaty,
        action_type=TreatyActionType(action_type),
        date=day(on),
        source=source,
        **extra,
    )


def comments_made(state, on, source, precision=DatePrecision.DAY, **extra):
    """A state's written comments, made on ``on`` as far as ``precision`` gives it (unsaved)."""
    return WrittenSubmission(
        publication=Publication.PUBLISHED,
        state=state,
        status=SubmissionStatus.MADE,
        submitted_on=day(on),
        submitted_on_precision=precision,
        source=source,
        **extra,
    )


def published_statement(state, on, position, source, **extra):
    values = {"forum": "Sixth Committee", "summary": "A statement.", **extra}
    return PositionStatement.objects.create(
        publication=Publication.PUBLISHED,
        state=state,
        date=day(on),
        position=ConventionPosition(position),
        source=source,
        **values,
    )


def published_ask(state, treaty, source, ask="Accede to the Rome Statute", on="2026-10-01"):
    """The coalition's published ask of ``state`` under ``treaty``, made on ``on``."""
    return CoalitionAsk.objects.create(
        publication=Publication.PUBLISHED, state=state, treaty=treaty, ask=ask, asked_on=day(on), source=source
    )


# --- What the admin's forms post ----------------------------------------------------------


def statement_form(statement, **changes):
    """The change form of ``statement`` as it was opened, with ``changes``."""
    values = {
        "state": statement.state_id,
        "date": statement.date.isoformat(),
        "date_precision": statement.date_precision,
        "forum": statement.forum,
        "summary": statement.summary,
        "quote": statement.quote,
        "quote_language": statement.quote_language,
        "position": statement.position,
        "whose_words": statement.whose_words,
        "source": statement.source_id,
        "verification": statement.verification,
        "last_verified_on": statement.last_verified_on or "",
        "seen_version": statement.version,
        "change_reason": "Test edit",
    }
    values.update(changes)
    return values


def new_statement_form(state, cited, **changes):
    values = {
        "state": state.pk,
        "date": "2026-11-20",
        "date_precision": "day",
        "forum": "Preparatory Committee, second session",
        "summary": "Called for the convention to be adopted in 2029.",
        "quote": "adopt the convention",
        "position": ConventionPosition.SUPPORTS,
        "whose_words": WhoseWords.OWN_WORDS,
        "source": cited.pk,
        "verification": Verification.PRIMARY,
        "last_verified_on": "",
        "change_reason": "New statement found",
    }
    values.update(changes)
    return values


def statement_fields(state, source):
    """A new statement's fields, for a model built in the test."""
    return {
        "state": state,
        "date": "2026-11-20",
        "forum": "Preparatory Committee, second session",
        "summary": "Called for the convention to be adopted in 2029.",
        "position": ConventionPosition.SUPPORTS,
        "source": source,
    }


def state_page_form(state, actions=(), statements=(), reason="Recorded the Rome Statute actions"):
    """The state's admin page, unchanged, with inline ``actions`` (new) and
    ``statements`` (each a dict of fields, with "id" for an existing one)."""
    form = {
        "change_reason": reason,
        "seen_version": state.version,
        "written_submissions-TOTAL_FORMS": "0",
        "written_submissions-INITIAL_FORMS": "0",
        "treaty_actions-TOTAL_FORMS": str(len(actions)),
        "treaty_actions-INITIAL_FORMS": "0",
        "position_statements-TOTAL_FORMS": str(len(statements)),
        "position_statements-INITIAL_FORMS": str(sum(1 for values in statements if "id" in values)),
        # The state's own fields, unchanged (publishers may edit them).
        "name": state.name,
        "iso2": state.iso2,
        "iso3": state.iso3,
        "un_regional_group": state.un_regional_group,
        "subregion": state.subregion,
        "un_membership": state.un_membership,
        "in_icc_asia_pacific": "on" if state.in_icc_asia_pacific else "",
        "source": state.source_id,
        "verification": state.verification,
    }
    for prefix, rows in (("treaty_actions", actions), ("position_statements", statements)):
        for index, values in enumerate(rows):
            form.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
            form[f"{prefix}-{index}-state"] = state.pk
    return form


def rome_action(rome_statute, source, action_type, on):
    """One inline treaty action, as the state page posts it."""
    return {
        "treaty": rome_statute.pk,
        "action_type": action_type,
        "date": on,
        "source": source.pk,
        "verification": "secondary",
    }


def reviewed_token(page):
    """What a review page shows, as its Publish form sends it back (``ReviewedFact.review_token``)."""
    return re.search(r'name="reviewed" value="([^"]+)"', page.content.decode()).group(1)


def publish_from_its_page(client, admin_path, draft, follow=False):
    """A publisher opens the draft's page, reads it, and presses Publish."""
    token = reviewed_token(client.get(f"{admin_path}{draft.pk}/change/"))
    return client.post(f"{admin_path}{draft.pk}/review/", {"decision": "publish", "reviewed": token}, follow=follow)


def confirmation_of(page):
    """The hidden fields of the bulk Publish confirmation page, as its button posts them."""
    fields = {"_selected_action": []}
    for name, value in re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', page.content.decode()):
        if name == "_selected_action":
            fields[name].append(value)
        elif name != "csrfmiddlewaretoken":
            fields[name] = value
    return fields


def publish_in_bulk(client, admin_path, *drafts, follow=False):
    """The list's Publish action as a publisher uses it: choose the drafts,
    read the confirmation page, press its button."""
    confirmation = client.post(admin_path, {"action": "publish", "_selected_action": [draft.pk for draft in drafts]})
    return client.post(admin_path, confirmation_of(confirmation), follow=follow)


def import_rows(user, *rows):
    """Import position statements as ``user`` would, all or nothing."""
    dataset = tablib.Dataset(
        headers=["state", "date", "date_precision", "forum", "summary", "quote", "position", "source", "verification"]
    )
    for row in rows:
        dataset.append(row)
    if rows:
        dataset.append_col([WhoseWords.OWN_WORDS] * len(dataset), header="whose_words")
    return PositionStatementResource().import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


# --- Redis, for what several app servers share -------------------------------------------


def redis_for_tests(database):
    """The address of an emptied Redis database of the tests' own (Redis on
    127.0.0.1:6379, which .ci/run starts); the test is skipped without Redis,
    except in CI, where it fails. The run on PostgreSQL uses other databases,
    since CI runs it beside the run on SQLite, and so does a run that CI
    starts beside both with TEST_REDIS_SHIFT set."""
    if os.environ.get("DATABASE_URL"):
        database += 8
    database += int(os.environ.get("TEST_REDIS_SHIFT", "0"))
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(f"SELECT {database}\r\nFLUSHDB\r\n".encode())
            answered = b"+OK" in connection.recv(100)
    except OSError:
        answered = False
    if not answered:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return f"redis://127.0.0.1:6379/{database}"


# --- Languages ------------------------------------------------------------------------

# What a reader may see in English on a page in any language: the site's name,
# the name of who runs it, and the names of data formats and standards.
SAME_IN_EVERY_LANGUAGE = {
    "CAH Tracker",
    settings.ORGANISATION_NAME,
    "API",
    "UN Treaty Collection",
    "Frictionless Data Package",
}
ELEMENTS_WITHOUT_END = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
READ_ALOUD_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class ReaderText(HTMLParser):
    """The text a reader sees or hears on a page (text, and the attributes
    read aloud), leaving out what is marked as written in another language
    (``lang``) or as not to be translated (``translate="no"``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_language = None
        self.open_elements = []  # (tag, left out?)
        self.texts = []

    def left_out(self):
        return any(skipped for _tag, skipped in self.open_elements)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.page_language = attributes.get("lang")
        skipped = (
            tag in {"script", "style"}
            or attributes.get("lang", self.page_language) != self.page_language
            or attributes.get("translate") == "no"
        )
        if not skipped and not self.left_out():
            self.texts += [attributes[name] for name in READ_ALOUD_ATTRIBUTES if attributes.get(name)]
        if tag not in ELEMENTS_WITHOUT_END:
            self.open_elements.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ELEMENTS_WITHOUT_END:
            self.open_elements.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.open_elements) - 1, -1, -1):
            if self.open_elements[index][0] == tag:
                del self.open_elements[index:]
                break

    def handle_data(self, data):
        if not self.left_out():
            self.texts.append(data)


# Languages whose script is not Latin: on their pages a run of English words stands out.
OTHER_SCRIPTS = {"th", "ar"}


def reader_text(page):
    """The page's language, and its text as a reader meets it."""
    parser = ReaderText()
    parser.feed(page)
    return parser.page_language, [" ".join(text.split()) for text in parser.texts if text.strip()]


def is_language_neutral(text):
    """Numbers, dates and codes: a digit with at most one word (a month in
    "1 November 2026", the same in Indonesian), or capitals only."""
    words = re.findall(r"[^\W\d_]+", text)
    return bool(re.search(r"\d", text) and len(words) <= 1) or all(word.isupper() for word in words)


def untranslated_text(page, english_page, same_names=()):
    """Text of ``page`` left as it reads in English: text identical to text of
    the same page in English, or, in a language of another script, a run of
    three English words. ``same_names``: names spelt the same in both."""
    _language, english = reader_text(english_page)
    language, texts = reader_text(page)
    allowed = SAME_IN_EVERY_LANGUAGE | set(same_names)
    found = []
    english = set(english)
    for text in texts:
        rest = text
        for name in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(name, "")
        if not re.search(r"[^\W\d_]", rest) or is_language_neutral(text):
            continue
        if text in english or (
            language in OTHER_SCRIPTS and re.search(r"[A-Za-z]+[ ,:]+[A-Za-z]+[ ,:]+[A-Za-z]+", rest)
        ):
            found.append(text)
    return found


def spelt_as_in_english(language):
    """Names iso-codes spells as in English (or does not translate), and
    strings the catalogue translates to themselves ("Melanesia" in Indonesian)."""
    names = [state.name for state in State.objects.all() if translated_name(state.iso3, language) in (None, state.name)]
    catalogue = polib.pofile(Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po"))
    return names + [entry.msgid for entry in catalogue if entry.msgstr == entry.msgid]


def downloaded_package(client):
    """The data package a visitor downloads, opened (it is streamed from a file)."""
    response = client.get("/data/cah-tracker.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
