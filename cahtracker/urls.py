from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from states import api, views
from states.page_cache import cached_public_page
from states.sitemaps import SITEMAPS

api_v1 = [
    path("", api.ApiRoot.as_view(), name="root"),
    path("states/", api.StateList.as_view(), name="states"),
    # ISO 3166 alpha-3 only: anything else (a NUL byte, say) is a 404 before any query.
    re_path(r"^states/(?P<iso3>[A-Za-z]{3})/$", api.StateDetail.as_view(), name="state"),
    path("statements/", api.StatementList.as_view(), name="statements"),
    path("figures/", api.FiguresView.as_view(), name="figures"),
    path("next-steps/", api.NextStepsView.as_view(), name="next_steps"),
    path("treaties/", api.TreatyList.as_view(), name="treaties"),
    path("timeline/", api.TimelineList.as_view(), name="timeline"),
    path("sources/", api.SourceList.as_view(), name="sources"),
    path("changes/", api.ChangeList.as_view(), name="changes"),
    path("schema/", api.SchemaView.as_view(), name="schema"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    # The API's documentation, from its schema; served from this site (drf-spectacular-sidecar), no CDN.
    path("api/docs/", api.ApiDocsView.as_view(url_name="api:schema"), name="api_docs"),
    # For load balancers, uptime monitors and crawlers: one address, in no language.
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", cached_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
# The public pages in each language: English at today's addresses, the others under /id/, /th/, /ar/.
urlpatterns += i18n_patterns(
    path("", include("states.urls")), path("", include("alerts.urls")), prefix_default_language=False
)

# A database outage met before any view (a signed-in page reads its session
# first) is a 503 like any other, not a 500.
handler500 = "states.middleware.server_error"
