"""Atom and RSS feeds of the public list of changes, for partners who want to
hear when something changes: all of them, or one state's (Django's
syndication framework). Like /changes/, they carry what changed and the
reason staff gave, never who made the change."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from states.models import PublishedChange, State

ITEMS_PER_FEED = 50


def newest_first(changes):
    return changes.select_related("state").order_by("-made_at", "-pk")[:ITEMS_PER_FEED]


class PublishedChanges(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("CAH Tracker: published changes")

    def subtitle(self):
        return _("Each change to the public record of where Asian states stand, with the reason for it.")

    description = subtitle  # RSS's name for it

    def link(self):
        return reverse("states:changes")

    def items(self):
        return newest_first(PublishedChange.objects.all())

    def item_title(self, change):
        return f"{change.get_kind_display()}: {change.title}"

    def item_description(self, change):
        parts = [change.what_changed, _("Reason: %(reason)s") % {"reason": change.reason} if change.reason else ""]
        return " — ".join(part for part in parts if part)

    def item_link(self, change):
        return change.get_absolute_url() or f"{reverse('states:changes')}#change-{change.pk}"

    def item_guid(self, change):
        # Several changes share a record's page: each entry is named by its row on the list of changes.
        return f"{reverse('states:changes')}#change-{change.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.made_at

    def item_updateddate(self, change):
        return change.made_at


class StateChanges(PublishedChanges):
    def get_object(self, request, iso3):
        return get_object_or_404(State, iso3=iso3.upper())

    def title(self, state):
        return _("CAH Tracker: changes for %(state)s") % {"state": state.local_name}

    def subtitle(self, state):
        return _("Each change to the public record of %(state)s, with the reason for it.") % {"state": state.local_name}

    description = subtitle

    def link(self, state):
        return state.get_absolute_url()

    def items(self, state):
        return newest_first(PublishedChange.objects.filter(state=state))


class PublishedChangesRss(PublishedChanges):
    feed_type = Rss201rev2Feed


class StateChangesRss(StateChanges):
    feed_type = Rss201rev2Feed
