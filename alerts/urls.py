from django.urls import path, re_path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.subscribe, name="subscribe"),
    path("alerts/sent/", views.sent, name="sent"),
    # Only the characters a signed key and a token are written in: anything else (a NUL byte,
    # which PostgreSQL refuses in any query) is a 404 before a query is made.
    re_path(r"^alerts/confirm/(?P<key>[A-Za-z0-9_:\-]{1,200})/$", views.confirm, name="confirm"),
    re_path(r"^alerts/unsubscribe/(?P<token>[A-Za-z0-9_\-]{1,64})/$", views.unsubscribe, name="unsubscribe"),
    path("alerts/privacy/", views.privacy, name="privacy"),
]
