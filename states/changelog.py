"""The public record of changes (/changes/).

django-simple-history writes a history row for every save and delete, on every
path: change form, state page, history revert, import, publish action, bulk
delete. Each new row is compared here with the one before it; when what the
public sees changed, a ``PublishedChange`` says so in words. Drafts, research
notes and the names of staff never reach it. The seed loader's rows are
summed up once by the loader instead of one entry per row.

A source is public once something public cites it: an Editor's new source
enters the list only with the first published fact that cites it (a
Publisher's, whose saves are public at once, at once).
"""

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.signals import post_create_historical_record

from states.choices import ChangeKind, Publication, RecordKind
from states.facts import NOT_PUBLIC
from states.models import REVIEWED_MODELS, PublishedChange, Source, State, Treaty
from states.page_cache import data_changed

# The reason the history and the public list give for the seed loader's own
# saves. Words for people only: the loader's versions are told apart by their
# ``loaded_from_seed`` flag, never by this text, which anyone could type.
SEED_REASON = "Loaded from the seed data"


def is_public(row):
    """Whether a history row shows a version the public could see."""
    return getattr(row, "publication", Publication.PUBLISHED) == Publication.PUBLISHED


def change_kind(row, previous):
    """What the saved or deleted version did to the public record (None: nothing public)."""
    was_public = previous is not None and is_public(previous)
    if row.history_type == "-":
        return ChangeKind.REMOVED if is_public(row) else None
    if is_public(row):
        if was_public:
            return ChangeKind.CHANGED
        return ChangeKind.ADDED if previous is None else ChangeKind.PUBLISHED
    # A published fact turned back into a draft (a revert to its draft-era version) leaves the public record.
    return ChangeKind.REMOVED if was_public else None


def shown(field, value):
    """A field's value as the public pages word it."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else "—"
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateField):
        return date_format(value, "j F Y")
    return str(value)


def differing_fields(model, older, newer, leaving_out):
    """(field, old value, new value) for each field of ``model`` whose value
    differs between two versions of a record, but for the fields named in ``leaving_out``."""
    for field in model._meta.concrete_fields:
        if field.name in leaving_out:
            continue
        old, new = getattr(older, field.attname), getattr(newer, field.attname)
        if old != new:
            yield field, old, new


def what_changed(model, previous, row):
    """The public fields that differ, in words: "position: Non-committal → Supports …"."""
    parts = []
    for field, old, new in differing_fields(model, previous, row, NOT_PUBLIC):
        name = str(field.verbose_name)
        if isinstance(field, models.TextField):
            parts.append(_("%(field)s rewritten") % {"field": name})
        else:
            parts.append(f"{name}: {shown(field, old)} → {shown(field, new)}")
    return "; ".join(parts)


ALWAYS_PUBLIC = (State, Treaty)


def cited_publicly(source_id, besides=()):
    """Whether something the public sees cites the source, besides the records ``besides``."""
    for model in REVIEWED_MODELS + ALWAYS_PUBLIC:
        records = model.objects.filter(source_id=source_id)
        if model in REVIEWED_MODELS:
            records = records.published()
        left_out = [record.pk for record in besides if isinstance(record, model)]
        if left_out:
            records = records.exclude(pk__in=left_out)
        if records.exists():
            return True
    return False


def announced(source_id):
    return PublishedChange.objects.filter(record_kind=RecordKind.SOURCE, record_id=source_id).exists()


def source_is_public(source, user):
    """An Editor may add a source for a draft: it stays off the public list
    until a published fact cites it. Whoever may change sources (Publishers,
    and commands run without a user) saves them publicly."""
    public_at_once = user is None or user.has_perm("states.change_source")
    return public_at_once or announced(source.pk) or cited_publicly(source.pk)


def announce_sources_cited_first_by(records, made_at):
    """The entries sources waited for: each source's first public record to
    cite it (``records`` are new public records, saved in one go or alone)."""
    for source_id in dict.fromkeys(getattr(record, "source_id", None) for record in records):
        # Cheapest first: an import citing one source in every row asks this once.
        if source_id is None or announced(source_id) or cited_publicly(source_id, besides=records):
            continue
        source = Source.objects.filter(pk=source_id).first()
        if source is None:
            continue
        PublishedChange.objects.create(
            made_at=made_at,
            kind=ChangeKind.ADDED,
            record_kind=RecordKind.SOURCE,
            record_id=source.pk,
            title=source.full_title,
            reason=_("First cited by a published fact"),
        )


def change_entry(record, kind, made_at, reason, what_changed=""):
    """The public list's entry for a change to ``record`` (not yet saved)."""
    return PublishedChange(
        made_at=made_at,
        kind=kind,
        record_kind=RecordKind(record._meta.model_name),
        record_id=record.pk,
        state=record if isinstance(record, State) else getattr(record, "state", None),
        title=record.full_title,
        what_changed=what_changed,
        reason=reason or "",
    )


def record_published_additions(records, made_at, reason):
    """The entries for new public records saved in one go (a bulk import):
    what ``record_published_change`` writes for each, in one insert."""
    if not records:
        return
    data_changed()
    PublishedChange.objects.bulk_create([change_entry(record, ChangeKind.ADDED, made_at, reason) for record in records])
    announce_sources_cited_first_by(records, made_at)


def record_published_changes(changes, made_at, reason):
    """The entries for stored public records changed in one go (a bulk
    import), given as (stored copy, changed copy) pairs: what
    ``record_published_change`` writes for each, in one insert."""
    entries, cite_anew = [], []
    for stored, changed in changes:
        changes_in_words = what_changed(type(changed), stored, changed)
        if not changes_in_words:
            continue  # a save that changed nothing the public sees
        entries.append(change_entry(changed, ChangeKind.CHANGED, made_at, reason, changes_in_words))
        if stored.source_id != changed.source_id:
            cite_anew.append(changed)
    if not entries:
        return
    data_changed()
    PublishedChange.objects.bulk_create(entries)
    announce_sources_cited_first_by(cite_anew, made_at)


@receiver(post_create_historical_record)
def record_published_change(sender, instance, history_instance, **kwargs):
    if instance._meta.model_name not in RecordKind.values:
        return
    if getattr(history_instance, "loaded_from_seed", False):
        return  # the seed loader sums up its load in one entry
    # Read both back from the database: a record saved with a date typed as
    # text still holds that text in memory.
    row = sender.objects.get(pk=history_instance.pk)
    instance = type(instance).objects.filter(pk=instance.pk).first() or instance
    previous = (
        None
        if row.history_type == "+"
        # a record just created has no earlier version
        else (
            sender.objects.filter(id=instance.pk)
            .exclude(history_id=row.history_id)
            .filter(history_date__lte=row.history_date)
            .order_by("-history_date", "-history_id")
            .first()
        )
    )
    kind = change_kind(row, previous)
    if kind is None:
        return
    if isinstance(instance, Source) and not source_is_public(instance, row.history_user):
        return
    changes = what_changed(type(instance), previous, row) if kind == ChangeKind.CHANGED else ""
    if kind == ChangeKind.CHANGED and not changes:
        return  # a save that changed nothing the public sees
    data_changed()
    change_entry(instance, kind, row.history_date, row.history_change_reason, changes).save()
    newly_cites = kind in (ChangeKind.ADDED, ChangeKind.PUBLISHED) or (
        kind == ChangeKind.CHANGED and getattr(previous, "source_id", None) != getattr(row, "source_id", None)
    )
    if newly_cites and getattr(instance, "source_id", None):
        announce_sources_cited_first_by([instance], row.history_date)


def record_data_load(created, updated, when):
    """One entry for a run of the seed loader, instead of one per record."""
    if created or updated:
        data_changed()
    if created:
        first_load = not PublishedChange.objects.filter(kind=ChangeKind.INITIAL_DATA).exists()
        PublishedChange.objects.create(
            made_at=when,
            kind=ChangeKind.INITIAL_DATA if first_load else ChangeKind.ADDED,
            record_kind=RecordKind.DATA_LOAD,
            title=(
                _("Initial data: %(count)d records from the coalition's research")
                if first_load
                else _("%(count)d records added from the coalition's research")
            )
            % {"count": created},
            reason=SEED_REASON,
        )
    if updated:
        PublishedChange.objects.create(
            made_at=when,
            kind=ChangeKind.CHANGED,
            record_kind=RecordKind.DATA_LOAD,
            title=_("%(count)d records updated from the coalition's research") % {"count": updated},
            reason=SEED_REASON,
        )


@receiver(post_delete, sender=State)
def keep_changes_of_a_deleted_state(sender, instance, **kwargs):
    """The public list keeps a deleted state's changes (each names the state
    in its title), without a link to the row that is gone: including the
    entries written while its facts were deleted with it."""
    PublishedChange.objects.filter(state_id=instance.pk).update(state=None)
