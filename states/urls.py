from django.urls import path

from states import views

app_name = "states"

urlpatterns = [
    path("", views.overview, name="overview"),
]
