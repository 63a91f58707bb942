from django.urls import path, re_path

from states import feeds, views
from states.page_cache import cached_public_page

app_name = "states"

# A feed's address answers a feed reader with the feed and a browser with a page.
feed = cached_public_page(offers=feeds.FEED_OFFERS)

urlpatterns = [
    path("", views.overview, name="overview"),
    path("states/", views.state_list, name="list"),
    path("states/export.csv", views.state_list_csv, name="export"),
    # ISO 3166 alpha-3, in any case: lowercase redirects to the canonical capitals.
    re_path(r"^states/(?P<iso3>[A-Za-z]{3})/$", views.state_detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("convention/", views.convention, name="convention"),
    path("next-steps/", views.next_steps, name="next_steps"),
    path("next-steps/export.csv", views.next_steps_csv, name="next_steps_export"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("changes/", views.changes, name="changes"),
    path("data/", views.dataset, name="data"),
    path("data/cah-tracker.zip", views.dataset_download, name="data_download"),
    path("changes/feed/", feed(feeds.PublishedChanges()), name="changes_feed"),
    path("changes/feed/rss/", feed(feeds.PublishedChangesRss()), name="changes_feed_rss"),
    re_path(r"^states/(?P<iso3>[A-Za-z]{3})/feed/$", feed(feeds.StateChanges()), name="state_feed"),
    re_path(r"^states/(?P<iso3>[A-Za-z]{3})/feed/rss/$", feed(feeds.StateChangesRss()), name="state_feed_rss"),
    path("corrections/new/", views.report_correction, name="report_correction"),
    # For partner sites to frame (only these pages may be framed) or show as an image.
    path("embed/figure/<slug:name>/", views.embed_figure, name="embed_figure"),
    path("embed/figure/<slug:name>.svg", views.embed_figure_badge, name="embed_badge"),
    path("embed/map/", views.embed_map, name="embed_map"),
    re_path(r"^embed/state/(?P<iso3>[A-Za-z]{3})/$", views.embed_state, name="embed_state"),
    path("corrections/sent/", views.correction_sent, name="correction_sent"),
]
