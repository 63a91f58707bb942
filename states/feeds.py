"""Atom and RSS feeds of the public list of changes, for partners who want to
hear when something changes: all of them, or one state's (Django's
syndication framework). Like /changes/, they carry what changed and the
reason staff gave, never who made the change."""

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from states.models import PublishedChange, State

ITEMS_PER_FEED = 50
# What a feed's address answers with, the feed first: a reader that sends no
# Accept header, or */*, gets the feed.
FEED_OFFERS = ("application/atom+xml", "application/rss+xml", "text/html")


def newest_first(changes):
    return changes.select_related("state").order_by("-made_at", "-pk")[:ITEMS_PER_FEED]


class QuietSince:
    """A feed with no entries is as old as the record it follows, never "now"
    (Django's feeds give the time of the request)."""

    def latest_post_date(self):
        if not self.items and self.feed.get("quiet_since"):
            return self.feed["quiet_since"]
        return super().latest_post_date()


class AtomWithItsDate(QuietSince, Atom1Feed):
    pass


class RssWithItsDate(QuietSince, Rss201rev2Feed):
    pass


class PublishedChanges(Feed):
    """A feed at one address for two readers: a feed reader gets the feed, a
    browser (which asks for HTML first) a page in the site's language saying
    what a feed is and how to follow it, with the same entries. Browsers show
    a feed as raw XML, and Chromium is removing the XSLT that used to dress it."""

    feed_type = AtomWithItsDate
    template_name = "feed.html"

    def __call__(self, request, *args, **kwargs):
        if request.get_preferred_type(FEED_OFFERS) == "text/html":
            response = self.page(request, *args, **kwargs)
        else:
            response = super().__call__(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    def page(self, request, *args, **kwargs):
        feed = self.get_feed(self.get_object(request, *args, **kwargs), request)
        context = {"feed": feed.feed, "entries": feed.items, "address": request.build_absolute_uri(request.path)}
        return render(request, self.template_name, context)

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
