"""What every page says about who runs the site (settings.ORGANISATION_*)."""

from django.conf import settings


def organisation(request):
    return {
        "organisation": {
            "name": settings.ORGANISATION_NAME,
            "url": settings.ORGANISATION_URL,
            "contact_email": settings.CONTACT_EMAIL,
        }
    }
