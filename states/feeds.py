"""Atom and RSS feeds of the public list of changes, for partners who want to
hear when something changes: all of them, or one state's (Django's
syndication framework). Like /changes/, they carry what changed and the
reason staff gave, never who made the change."""

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from states.models import PublishedChange, State

ITEMS_PER_FEED = 50


def newest_first(changes):
    return changes.select_related("state").order_by("-made_at", "-pk")[:ITEMS_PER_FEED]


class QuietSince:
    """A feed with no entries is as old as the record it follows, never "now"
    (Django's feeds give the time of the request)."""

    def latest_post_date(self):
        if not self.items and self.feed.get("quiet_since"):
            return self.feed["quiet_since"]
        return super().latest_post_date()


class AtomForPeople(QuietSince, Atom1Feed):
    """Atom, with a stylesheet that a browser applies to show the feed as a
    page saying what it is and how to follow it (static/feeds/atom.xsl);
    feed readers ignore it."""

    # Browsers apply a stylesheet to a document served as XML, and show
    # application/atom+xml as text; feed readers read the feed by its content.
    content_type = "application/xml; charset=utf-8"

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.processingInstruction("xml-stylesheet", f'type="text/xsl" href="{static("feeds/atom.xsl")}"')
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class RssWithItsDate(QuietSince, Rss201rev2Feed):
    pass


class PublishedChanges(Feed):
    feed_type = AtomForPeople

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Atom wants each entry's id an absolute IRI: the row on the list of changes, on this site.
        domain, secure = get_current_site(request).domain, request.is_secure()
        for item in feed.items:
            item["unique_id"] = add_domain(domain, item["unique_id"], secure)
        return feed

    def feed_extra_kwargs(self, obj):
        first = PublishedChange.objects.order_by("made_at").values_list("made_at", flat=True).first()
        return {"quiet_since": first}

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
        return change.headline

    def item_description(self, change):
        reason = _("Reason: %(reason)s") % {"reason": change.reason} if change.reason else ""
        parts = [change.what_changed_in_words, reason]
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
    feed_type = RssWithItsDate


class StateChangesRss(StateChanges):
    feed_type = RssWithItsDate
