"""What every fact is: sourced, verified, versioned, with its history, and
(for most) reviewed before the public sees it. The tracker's models inherit
these abstract bases (see ``states.models``)."""

import calendar
import contextlib
import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from states.choices import DatePrecision, Origin, Publication, Verification, choices_constraint

# The fields that never leave the staff side: not on a public page, in the
# list of changes, the API or the data package.
STAFF_ONLY_FIELDS = frozenset(
    {"research_note", "verified_by", "version", "publication", "draft_of", "sent_back_note", "origin"}
)
# What the public never reads of a record: the staff-only fields and its
# database id (records are named by their natural keys). The list of changes
# and the data package leave out the same.
NOT_PUBLIC = frozenset({"id", *STAFF_ONLY_FIELDS})

# A fact not re-checked for this long is due for re-verification.
REVERIFY_AFTER = datetime.timedelta(days=365)

logger = logging.getLogger(__name__)


class ProposedHistory(models.Model):
    """What a record's history holds besides django-simple-history's own
    columns: for a version a publisher published, the editor who proposed it
    (history_user is then the publisher); and whether the seed loader wrote
    this version, which tells the loader whether staff have touched the
    database (``manage.py load_seed``). A flag the loader sets, never a reason text a
    person could type."""

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    loaded_from_seed = models.BooleanField(_("written by the seed loader"), default=False)

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def record_who_proposed(sender, instance, history_instance, **kwargs):
    if isinstance(history_instance, ProposedHistory):
        history_instance.proposed_by_id = getattr(instance, "_proposed_by_id", None)
        history_instance.loaded_from_seed = getattr(instance, "_loaded_from_seed", False)


# Ids and versions as addresses, forms and sheets write them: ASCII digits
# that fit a database's bigint. str.isdigit() also takes "²", which int()
# then refuses.
A_NUMBER = re.compile(r"[0-9]{1,18}")


def is_a_number(text):
    return A_NUMBER.fullmatch(text) is not None


def origin_field():
    return models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.STAFF, editable=False)


class ChangedMeanwhile(ValidationError):
    """A save based on a version of the record that is no longer the stored one."""

    def __init__(self, record):
        super().__init__(
            _(
                "Not saved: %(record)s was changed by someone else after this copy of it was read. "
                "Open it again to see the latest version, then make the change on top of it."
            ),
            params={"record": record},
            code="changed_meanwhile",
        )


class ChecksInOneQuery(models.Model):
    """Django checks each CheckConstraint of a record with a query of its own,
    inside a savepoint of its own in a transaction: about thirty statements a
    fact, paid by every row of an import. The same rules, with the same
    messages and codes, are checked here in one query (and one savepoint) per
    record; other constraints (uniqueness) are checked as Django does."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(type(self), instance=self)
        errors = {}
        checks = []
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    checks.append((model_class, constraint))
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        for constraint in self.broken_checks(checks, exclude, using):
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def broken_checks(self, checks, exclude, using):
        if not checks:
            return []
        query = Query(None)
        for name, value in self._get_field_expression_map(meta=self._meta, exclude=exclude).items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
        asked = {}
        for number, (_model, constraint) in enumerate(checks):
            holds = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
            try:  # as Django does: a rule about a field left out of the check is not checked
                query.add_annotation(holds, f"rule{number}")
            except FieldError:
                continue
            asked[f"rule{number}"] = constraint
        if not asked:
            return []
        compiler = query.get_compiler(using=using)
        in_transaction = connections[using].in_atomic_block
        try:
            with transaction.atomic(using=using) if in_transaction else contextlib.nullcontext():
                row = compiler.execute_sql(SINGLE)
        except DatabaseError:  # as Django does: the database itself still holds every rule
            logger.warning("Could not check the rules of %r in one query", self, exc_info=True)
            return []
        held = dict(zip(query.annotation_select, row, strict=True))
        return [constraint for name, constraint in asked.items() if not held[name]]

    @classmethod
    def constraint_errors_in_turn(cls, records, holds_key=None):
        """``validate_constraints`` for many records, new or changed, not yet
        saved (a bulk import), as if each were saved in turn: a list giving,
        for each record, its ValidationError or None. (A record whose fields
        were refused is checked alone, by ``validate_constraints``.) The
        conditions of all the records' rules are asked in one query per
        batch, compiled once (``NewRecordsTable``). Each unique constraint
        costs one query per batch for the stored rows holding the records'
        keys; a record breaks it if another row holds its key: a stored row
        that no earlier record moved off it, or an earlier record that
        would have been saved. ``holds_key[n]`` False: the n-th record is
        saved as something else that holds no key (an Editor's draft of a
        published fact), so passing its check moves no key."""
        if not records:
            return []
        using = router.db_for_write(cls)
        checks, uniques = [], []
        for _model, constraints in records[0].get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    checks.append(constraint)
                elif isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                    uniques.append(constraint)
                else:
                    raise NotImplementedError(f"{constraint!r}: checked one record at a time only")
        # In the order validate_constraints gives them: unique constraints, then checks.
        rules = uniques + checks
        held = NewRecordsTable(cls, [rule.condition for rule in rules], using).conditions_held_by(records)
        holders = [KeyHolders(cls, constraint, records, using) for constraint in uniques]
        errors = []
        for number, record in enumerate(records):
            # A new record is told apart from every stored row and every other new record.
            holder = record.pk if not record._state.adding else ("new", number)
            keys = [
                key_of(cls, constraint, record) if held[number][position] else None
                for position, constraint in enumerate(uniques)
            ]
            found = {}
            for position, constraint in enumerate(uniques):
                if keys[position] is not None and holders[position].held_by_another(keys[position], holder):
                    found = unique_error(cls, constraint, record).update_error_dict(found)
            for position, constraint in enumerate(checks, start=len(uniques)):
                if not held[number][position]:
                    found = constraint_error(constraint).update_error_dict(found)
            if not found and (holds_key is None or holds_key[number]):
                for position, key in enumerate(keys):
                    holders[position].move(holder, key)
            errors.append(found)
        return [ValidationError(found) if found else None for found in errors]


def constraint_error(constraint):
    return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


def unique_error(model, constraint, record):
    """The error Django's ``UniqueConstraint.validate`` gives, placed as
    ``ChecksInOneQuery.validate_constraints`` places it."""
    if constraint.condition is not None or (
        constraint.violation_error_message != constraint.default_violation_error_message
    ):
        return constraint_error(constraint)
    error = record.unique_error_message(model, constraint.fields)
    return ValidationError({constraint.fields[0]: [error]}) if len(constraint.fields) == 1 else error


def key_of(model, constraint, record):
    """The record's values of a unique constraint's fields; None if one is
    NULL, which never equals another NULL (as in the database)."""
    key = tuple(getattr(record, model._meta.get_field(name).attname) for name in constraint.fields)
    return None if None in key and constraint.nulls_distinct is not False else key


class KeyHolders:
    """Who holds each key of a unique constraint, among the keys some
    records have: the stored rows under its condition (one query per 500
    values of its first field), then the records as each is saved."""

    def __init__(self, model, constraint, records, using):
        attnames = [model._meta.get_field(name).attname for name in constraint.fields]
        first_values = list({getattr(record, attnames[0]) for record in records} - {None})
        rows = model._default_manager.using(using)
        if constraint.condition is not None:
            rows = rows.filter(constraint.condition)
        self.holders, self.key_held_by = {}, {}
        for start in range(0, len(first_values), 500):
            batch = first_values[start : start + 500]
            for pk, *key in rows.filter(**{f"{attnames[0]}__in": batch}).values_list("pk", *attnames):
                self.move(pk, tuple(key))

    def held_by_another(self, key, holder):
        return bool(self.holders.get(key, set()) - {holder})

    def move(self, holder, key):
        """``holder`` now holds ``key`` (None: no key) instead of the one it held."""
        self.holders.get(self.key_held_by.pop(holder, None), set()).discard(holder)
        if key is not None:
            self.holders.setdefault(key, set()).add(holder)
            self.key_held_by[holder] = key


class NewRecordsTable:
    """Conditions of a model's rules, compiled once into a query over a table
    of records' values: ``WITH record(n, field…) AS (VALUES …) SELECT
    COALESCE(condition, true)… FROM record``. The same conditions, and the
    same NULL-means-held reading, as ``ChecksInOneQuery.broken_checks`` and
    Django's own checks; for any number of records, in batches the database
    takes."""

    TABLE = "record_checked"

    def __init__(self, model, conditions, using):
        self.connection = connections[using]
        self.fields = list(model._meta.concrete_fields)
        quote = self.connection.ops.quote_name
        query = Query(None)
        for field in self.fields:
            column = RawSQL(f"{self.TABLE}.{quote(field.column)}", (), output_field=field)
            query.add_annotation(column, field.name, select=False)
            query.add_annotation(column, field.attname, select=False)
            if field.primary_key:
                query.add_annotation(column, "pk", select=False)
        for number, condition in enumerate(conditions):
            holds = Value(True) if condition is None else Q(condition)  # no condition: always under the rule
            query.add_annotation(Coalesce(holds, True, output_field=BooleanField()), f"rule{number}")
        self.select, self.select_params = query.get_compiler(using=using).as_sql()
        self.columns = ", ".join(["n", *(quote(field.column) for field in self.fields)])
        if self.connection.vendor == "postgresql":
            cells = [f"CAST(%s AS {field.cast_db_type(self.connection)})" for field in self.fields]
        else:
            cells = ["%s" for _field in self.fields]
        self.row = "(" + ", ".join(["%s", *cells]) + ")"
        limit = self.connection.features.max_query_params or 30000
        self.batch = max(1, min(1000, (limit - len(self.select_params)) // (len(self.fields) + 1)))

    def conditions_held_by(self, records):
        """For each record, a tuple saying which conditions it meets."""
        held = []
        for start in range(0, len(records), self.batch):
            batch = records[start : start + self.batch]
            values = []
            for number, record in enumerate(batch):
                values.append(number)
                for field in self.fields:
                    values.append(field.get_db_prep_value(getattr(record, field.attname), self.connection))
            sql = (
                f"WITH {self.TABLE} ({self.columns}) AS (VALUES {', '.join([self.row] * len(batch))}) "
                f"{self.select} FROM {self.TABLE} ORDER BY {self.TABLE}.n"
            )
            with self.connection.cursor() as cursor:
                cursor.execute(sql, [*values, *self.select_params])
                held.extend(tuple(bool(value) for value in row) for row in cursor.fetchall())
        return held


class VersionedSave(ChecksInOneQuery):
    """Every save of a stored row names the version it started from, and the
    database applies it only if that version is still the stored one: one
    conditional ``UPDATE … WHERE version = %s``, so two requests can never
    both pass the check (a read-then-save can). A copy that lost raises
    ``ChangedMeanwhile``; a copy of a deleted row never brings it back.

    A form sets ``version`` to the one its user opened (``VersionCheckedForm``);
    every other caller saves a copy it just read."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        started_from = self.version
        self.version = started_from + 1
        self._started_from_version = started_from
        try:
            return super().save(*args, **kwargs)
        except BaseException:
            self.version = started_from
            raise
        finally:
            del self._started_from_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        started_from = getattr(self, "_started_from_version", None)
        if started_from is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if super()._do_update(base_qs.filter(version=started_from), using, pk_val, values, update_fields, True):
            return True
        raise ChangedMeanwhile(self)

    @property
    def stored_version(self):
        """The version now in the database (None for a new record)."""
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first()

    def lock_stored_version(self):
        """The version now in the database, with the row locked until the
        transaction ends: a second save of the same record waits, then finds
        the version changed. FOR NO KEY UPDATE, not FOR UPDATE: a save of a
        fact writes a row that points at its state (the public list of
        changes), which takes a KEY SHARE lock on the state; FOR UPDATE on the
        state's page would block it, and the two saves would deadlock.
        (SQLite's IMMEDIATE transactions, see settings, queue whole saves.)"""
        rows = type(self).objects.select_for_update(no_key=True).filter(pk=self.pk)
        return rows.values_list("version", flat=True).first()


class SourcedFact(VersionedSave):
    """Fields that every fact carries: its source, how far it has been checked
    and by whom, where it came from, a version number that refuses a save
    based on a stale copy (``VersionedSave``), and its full change history
    (who, when, why)."""

    source = models.ForeignKey(
        "states.Source",
        on_delete=models.PROTECT,
        verbose_name=_("source"),
        error_messages={"null": _("Every fact needs its source: choose one, or add the source first.")},
    )
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    last_verified_on = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("The day a staff member last checked this fact against its source."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    public_note = models.TextField(
        _("public note"),
        blank=True,
        help_text=_("Shown to the public with the fact: plain words that help a reader understand it."),
    )
    research_note = models.TextField(
        _("research note (staff only)"),
        blank=True,
        help_text=_(
            "Never shown to the public: how the fact was researched, what remains to check, "
            "pages read through mirrors, anything taken from memory."
        ),
    )
    origin = origin_field()

    history = HistoricalRecords(inherit=True, bases=[ProposedHistory])

    class Meta:
        abstract = True
        constraints = [
            choices_constraint("verification", Verification, "%(class)s_verification_is_known"),
            choices_constraint("origin", Origin, "%(class)s_origin_is_known"),
            models.CheckConstraint(
                condition=~Q(verification=Verification.UNVERIFIED, last_verified_on__isnull=False),
                name="%(class)s_unverified_fact_has_no_verified_date",
                violation_error_message=_(
                    "An unverified fact cannot have a last-verified date: "
                    "choose how it was verified, or clear the date."
                ),
            ),
        ]

    @classmethod
    def may_publish(cls, user):
        """Whether ``user`` may make this kind of record public: the model's
        named ``publish_`` permission (Publishers have it, Editors do not)."""
        return user.has_perm(f"{cls._meta.app_label}.publish_{cls._meta.model_name}")

    def mark_verified(self, user, on=None):
        """Stamp this fact as checked against the primary record, by ``user``."""
        self.verification = Verification.PRIMARY
        self.last_verified_on = on or timezone.localdate()
        self.verified_by = user


class NotPublished(ValidationError):
    """A publish that would make nothing public, with the reason why."""


class DraftChangedMeanwhile(NotPublished):
    """The draft, or the fact it changes, moved after the publisher opened it."""

    def __init__(self, draft, reviewed):
        super().__init__(
            _(
                "Nothing was published: this draft changed after you opened it. The page now shows the "
                "latest version, with what changed; read it again before you publish."
            ),
            code="draft_changed",
        )
        self.draft, self.reviewed = draft, reviewed


DRAFT_PENDING = _("A draft change to this fact is already waiting for review. Edit or publish that draft instead.")


class FactQuerySet(models.QuerySet):
    def published(self):
        """What the public may see. Every public page and export reads through this."""
        return self.filter(publication=Publication.PUBLISHED)

    def drafts(self):
        return self.filter(publication=Publication.DRAFT)

    def with_names(self):
        """With the records a fact's title names (its state, its treaty), fetched with it."""
        named = [field.name for field in self.model._meta.concrete_fields if field.name in ("state", "treaty")]
        return self.select_related(*named)

    def never_checked_against_primary(self):
        """Facts whose verification stops short of the primary record."""
        return self.exclude(verification=Verification.PRIMARY)

    def due_for_reverification(self, as_of=None):
        """Facts last checked more than a year before ``as_of`` (today by default)."""
        as_of = as_of or timezone.localdate()
        return self.filter(last_verified_on__lt=as_of - REVERIFY_AFTER)


class ReviewedFact(SourcedFact):
    """A fact that goes public only when a publisher publishes it.

    An editor's new fact is a draft. An editor's change to a published fact is
    saved as a separate draft row that points at it (``draft_of``): the public
    keeps seeing the published row until the draft is published onto it.
    """

    publication = models.CharField(
        _("publication"), max_length=12, choices=Publication.choices, default=Publication.DRAFT, editable=False
    )
    draft_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="pending_drafts",
        verbose_name=_("draft of"),
    )
    sent_back_note = models.TextField(
        _("sent back with the note"),
        blank=True,
        editable=False,
        help_text=_("A publisher's note on a draft sent back to its editor; cleared when the draft is revised."),
    )

    objects = FactQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            *SourcedFact.Meta.constraints,
            choices_constraint("publication", Publication, "%(class)s_publication_is_known"),
            models.CheckConstraint(
                condition=Q(draft_of__isnull=True) | Q(publication=Publication.DRAFT),
                name="%(class)s_only_a_draft_points_at_a_published_fact",
                violation_error_message=_("Only a draft can be a change to another fact."),
            ),
            models.UniqueConstraint(
                fields=["draft_of"],
                name="%(class)s_one_pending_draft_per_fact",
                violation_error_message=_(
                    "A draft change to this fact is already waiting for review: edit that draft instead."
                ),
            ),
        ]

    @property
    def is_published(self):
        return self.publication == Publication.PUBLISHED

    def save_change_by(self, user, reason):
        """Save a staff member's change, as review before publishing requires.

        A publisher's change is public at once. An editor's new fact stays a
        draft, and an editor's change to a published fact is saved as a new
        draft of it, leaving the published fact as it was. Either way the
        change must start from the stored version (``VersionedSave``). Returns
        True if the change awaits review. One transaction, so that the lock
        taken on the published fact holds until its draft is saved (the admin's
        actions, unlike its forms, run outside one).
        """
        with transaction.atomic():
            return self._save_change_by(user, reason)

    def _save_change_by(self, user, reason):
        self._change_reason = reason
        self.sent_back_note = ""  # revised: waiting for review again
        if not self._state.adding:
            # Whether the fact is public is the stored row's, never this copy's:
            # a revert's copy of a draft-era version must not unpublish it.
            stored = type(self).objects.filter(pk=self.pk).values("publication", "draft_of_id").first()
            if stored is not None:
                self.publication, self.draft_of_id = stored["publication"], stored["draft_of_id"]
        if self.may_publish(user):
            if self._state.adding:
                self.publication = Publication.PUBLISHED
            self.save()
            return False
        if not self._state.adding and self.is_published:
            published_pk = self.pk
            # The draft is based on the version this copy started from: it is
            # refused, atomically, if the published fact changed since.
            still_current = (
                type(self).objects.select_for_update(no_key=True).filter(pk=published_pk, version=self.version)
            )
            if not still_current.exists():
                raise ChangedMeanwhile(self)
            if type(self).objects.filter(draft_of_id=published_pk).exists():
                raise ValidationError(DRAFT_PENDING, code="draft_pending")
            self.pk = self.id = None
            self._state.adding = True
            self.publication = Publication.DRAFT
            self.draft_of_id = published_pk
            self.version = 1
        self.save()
        return True

    @property
    def review_token(self):
        """What a publisher reviews: this draft's version and, for a change,
        the published fact's. The review page and the bulk action send it
        back, and ``publish`` refuses if either moved since."""
        published_version = self.draft_of.version if self.draft_of_id else 0
        return f"{self.version}.{published_version}"

    def publish(self, reason=None, by=None, reviewed=None):
        """Make this draft public and return the published fact.

        A new fact simply becomes published. A change to a published fact is
        copied onto that fact, which keeps its identity and history, and the
        draft is removed. Validation runs again on the result. With
        ``reviewed`` (a ``review_token``), nothing is published unless the
        draft and the fact it changes are still exactly what the publisher
        saw. The public reason is the proposal's (``proposal_reason``) unless
        one is given. Raises ``NotPublished`` saying why, when nothing would
        become public.
        """
        model = type(self)
        with transaction.atomic():
            # Read again, locked: publish the stored draft, never this copy.
            draft = model.objects.select_for_update(no_key=True).filter(pk=self.pk).first()
            if draft is None or draft.is_published:
                raise NotPublished(_("That draft is no longer waiting for review: someone published or removed it."))
            target = None
            if draft.draft_of_id is not None:
                target = model.objects.select_for_update(no_key=True).get(pk=draft.draft_of_id)
            if reviewed is not None and reviewed != draft.review_token:
                raise DraftChangedMeanwhile(draft, reviewed)
            if target is not None and not target.is_published:
                raise NotPublished(
                    _(
                        "The fact this draft would change was withdrawn from the public record, so publishing "
                        "the draft onto it would make nothing public. Nothing was published. To make it public "
                        "again, publish the withdrawn fact itself (after editing it if need be), then remove "
                        "this draft."
                    )
                )
            proposal = draft.proposal
            reason = reason or draft.proposal_reason
            if target is None:
                draft.publication = Publication.PUBLISHED
                target = draft
            else:
                for field in self._meta.concrete_fields:
                    if field.name not in {"id", "publication", "draft_of", "version", "sent_back_note"}:
                        setattr(target, field.attname, getattr(draft, field.attname))
                draft._change_reason = reason
                draft.delete()
            target.full_clean()
            target.clean_across_rows()
            target._change_reason = reason
            target._proposed_by_id = proposal.history_user_id if proposal else None
            if by is not None:
                target._history_user = by
            target.save()
        return target

    @property
    def proposal(self):
        """The latest version of this draft its editor saved: who proposed it,
        when and why (its history_user, history_date and history_change_reason).
        A publisher's sending back is a version too, with its note, and is skipped."""
        versions = self.history.filter(sent_back_note="").order_by("-history_date", "-history_id")
        return versions.select_related("history_user").first()

    @property
    def proposal_reason(self):
        """The reason this draft was proposed, as the public list of changes
        gives it once published: read here for every publishing path (the
        review page, the bulk action), never a publisher's note."""
        proposal = self.proposal
        return (proposal.history_change_reason if proposal else "") or str(_("Published"))

    def send_back(self, note, user):
        """Return a draft to its editor with a publisher's note (it stays a draft)."""
        self.sent_back_note = note
        self._change_reason = _("Sent back: %(note)s") % {"note": note}
        self._history_user = user
        self.save()

    def withdraw(self, reason):
        """Take a published fact off the public record (it becomes a draft
        again); the public list of changes shows it was removed, and why."""
        self.publication = Publication.DRAFT
        self._change_reason = reason
        self.save()

    def clean_across_rows(self):
        """Rules that involve the fact's sibling rows (none by default).

        SQL check constraints see one row, and ``clean()`` runs for each form
        of a form set on its own; so these rules are called explicitly where
        one fact is saved alone: the admin's change form, import, publishing
        and the seed loader. The state page checks the actions entered on it
        together (``rules.check_in_date_order``).
        """


def display_partial_date(date, precision):
    """A date as far as its source gives it: "2023", "April 2023" or "13 April 2023"."""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return date_format(date, "F Y")
    return date_format(date, "j F Y")


def last_day_of_period(date, precision):
    """The last day a date known only to the month or the year can be."""
    if precision == DatePrecision.YEAR:
        return date.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date


def partial_date_starts_its_period(field, precision_field, name):
    """The database check that a month-only date is the 1st, and a year-only one 1 January."""
    return models.CheckConstraint(
        condition=Q(**{precision_field: DatePrecision.DAY})
        | Q(**{precision_field: DatePrecision.MONTH, f"{field}__day": 1})
        | Q(**{precision_field: DatePrecision.YEAR, f"{field}__day": 1, f"{field}__month": 1}),
        name=name,
        violation_error_message=_(
            "A date known only to the month is entered as the 1st of that month (to the year: as 1 January)."
        ),
    )


class PartlyDated(models.Model):
    """A date that a source may give only to the month or the year."""

    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date known to the"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("If the source gives only the month, enter the 1st and choose 'Month'."),
    )

    class Meta:
        abstract = True
        constraints = [
            choices_constraint("date_precision", DatePrecision, "%(class)s_date_precision_is_known"),
            partial_date_starts_its_period("date", "date_precision", "%(class)s_partial_date_starts_its_period"),
        ]

    @property
    def display_date(self):
        return display_partial_date(self.date, self.date_precision)
