from django.urls import path, re_path

from states import views

app_name = "states"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("states/", views.state_list, name="list"),
    path("states/export.csv", views.state_list_csv, name="export"),
    # ISO 3166 alpha-3, in any case: lowercase redirects to the canonical capitals.
    re_path(r"^states/(?P<iso3>[A-Za-z]{3})/$", views.state_detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("convention/", views.convention, name="convention"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("changes/", views.changes, name="changes"),
    path("corrections/new/", views.report_correction, name="report_correction"),
    path("corrections/sent/", views.correction_sent, name="correction_sent"),
    # For load balancers and uptime monitors.
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
