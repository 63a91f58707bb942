"""Impossible records are refused: by the model's validation with a message an
editor can act on, and by a named database constraint where SQL can see the rule."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from states.choices import (
    ConventionPosition,
    DatePrecision,
    Publication,
    SubmissionStatus,
    TreatyActionType,
    Verification,
)
from states.models import PositionStatement, Source, State, TreatyAction, WrittenSubmission
from tests.helpers import day


def messages(error):
    return " ".join(" ".join(m) for m in error.value.message_dict.values())


def validate(action):
    """Validate a treaty action as the admin's form does: its own fields and
    constraints, and the rules across the state's other actions, every error at once."""
    errors = {}
    for check in (action.full_clean, action.clean_across_rows):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@pytest.fixture
def japan(db):
    return State.objects.get(iso3="JPN")


def action(state, treaty, action_type, on, source, **extra):
    extra.setdefault("publication", Publication.PUBLISHED)
    return TreatyAction(state=state, treaty=treaty, action_type=action_type, date=day(on), source=source, **extra)


def test_a_state_cannot_both_ratify_and_accede_to_one_treaty(japan, rome_statute, source):
    # Japan acceded in 2007; a ratification as well is impossible.
    with pytest.raises(ValidationError) as error:
        validate(action(japan, rome_statute, TreatyActionType.RATIFICATION, "2008-01-10", source))
    assert (
        "Japan already deposited an instrument of accession on 2007-07-17; a state deposits only one instrument"
        in messages(error)
    )


def test_the_database_refuses_a_second_consent_instrument_even_without_validation(japan, rome_statute, source):
    with transaction.atomic(), pytest.raises(IntegrityError):
        action(japan, rome_statute, TreatyActionType.RATIFICATION, "2008-01-10", source).save()


def test_a_withdrawal_before_the_state_was_a_party_is_refused(japan, rome_statute, source):
    # Japan deposited its accession on 17 July 2007; it took effect on 1 October 2007.
    with pytest.raises(ValidationError) as error:
        validate(action(japan, rome_statute, TreatyActionType.WITHDRAWAL, "2007-09-01", source))
    text = messages(error)
    assert "Japan was not a State Party to the Rome Statute on 2007-09-01" in text
    assert "Joined, not yet in force" in text
    assert "Instrument withdrawn before it took effect" in text


def test_a_non_party_cannot_notify_a_withdrawal(rome_statute, source):
    india = State.objects.get(iso3="IND")
    with pytest.raises(ValidationError) as error:
        validate(action(india, rome_statute, TreatyActionType.WITHDRAWAL, "2020-01-01", source))
    assert "its status then: Non-party" in messages(error)


def test_an_instrument_cannot_be_taken_back_once_it_took_effect(japan, rome_statute, source):
    with pytest.raises(ValidationError) as error:
        validate(action(japan, rome_statute, TreatyActionType.INSTRUMENT_WITHDRAWN, "2008-01-01", source))
    assert "had already taken effect on 2007-10-01" in messages(error)


def test_ratification_needs_a_signature_first(make_state, rome_statute, source):
    state = make_state()
    with pytest.raises(ValidationError) as error:
        validate(action(state, rome_statute, TreatyActionType.RATIFICATION, "2010-01-01", source))
    assert "without having signed first" in messages(error)


def test_a_withdrawal_cannot_take_effect_sooner_than_art_127_allows(make_state, rome_statute, source):
    state = make_state()
    action(state, rome_statute, TreatyActionType.ACCESSION, "2010-01-01", source).save()
    early = action(
        state, rome_statute, TreatyActionType.WITHDRAWAL, "2015-01-01", source, later_effective_date=day("2015-06-01")
    )
    with pytest.raises(ValidationError) as error:
        validate(early)
    assert "12 months after notification at the earliest (2016-01-01)" in messages(error)


def test_the_same_action_twice_is_refused(japan, rome_statute, source):
    with pytest.raises(ValidationError) as error:
        validate(action(japan, rome_statute, TreatyActionType.ACCESSION, "2007-07-17", source))
    assert "already" in messages(error)


def test_an_unknown_position_category_is_refused_with_the_known_ones(japan, source):
    statement = PositionStatement(
        state=japan, date=day("2024-01-01"), forum="Sixth Committee", summary="…", position="maybe", source=source
    )
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert "position" in error.value.message_dict


def test_the_database_refuses_an_unknown_position_category(japan, source):
    statement = PositionStatement.objects.create(
        publication=Publication.PUBLISHED,
        state=japan,
        date=day("2024-01-01"),
        forum="Sixth Committee",
        summary="…",
        position=ConventionPosition.SUPPORTS,
        source=source,
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        PositionStatement.objects.filter(pk=statement.pk).update(position="maybe")


def test_the_database_refuses_an_unknown_action_type(japan, rome_statute, source):
    with transaction.atomic(), pytest.raises(IntegrityError):
        action(japan, rome_statute, "promise", "2020-01-01", source).save()


def test_a_month_only_date_is_entered_as_the_first_of_the_month(japan, source):
    statement = PositionStatement(
        state=japan,
        date=day("2024-04-11"),
        date_precision=DatePrecision.MONTH,
        forum="Sixth Committee",
        summary="…",
        position=ConventionPosition.SUPPORTS,
        source=source,
    )
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert "entered as the 1st of that month" in messages(error)
    statement.date = day("2024-04-01")
    statement.full_clean()
    assert statement.display_date == "April 2024"


def test_a_submission_that_was_made_needs_its_date(japan, source):
    submission = WrittenSubmission(state=japan, status=SubmissionStatus.MADE, source=source)
    with pytest.raises(ValidationError) as error:
        submission.full_clean()
    assert "needs its date" in messages(error)
    with transaction.atomic(), pytest.raises(IntegrityError):
        submission.save()


def test_an_unverified_fact_has_no_verified_date(japan):
    japan.verification = Verification.UNVERIFIED
    japan.last_verified_on = day("2026-11-01")
    with pytest.raises(ValidationError) as error:
        japan.full_clean()
    assert "An unverified fact cannot have a last-verified date" in messages(error)


def test_iso_codes_are_unique_and_in_capitals(japan):
    with pytest.raises(ValidationError) as error:
        State(
            name="Japan again",
            iso2="JP",
            iso3="jpn",
            un_regional_group="APG",
            subregion="030",
            un_membership="member",
            in_icc_asia_pacific=True,
            source=Source.objects.first(),
        ).full_clean()
    assert set(error.value.message_dict) >= {"iso2", "iso3"}


def test_a_source_must_be_a_web_address(db):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Source.objects.create(url="knowledge (unverified)", title="Nothing to link")
