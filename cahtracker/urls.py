from django.contrib import admin
from django.urls import include, path

from states.admin import research_queue

urlpatterns = [
    path("admin/research-queue/", admin.site.admin_view(research_queue), name="research_queue"),
    path("admin/", admin.site.urls),
    path("", include("states.urls")),
]
