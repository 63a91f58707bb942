"""Request and response handling that every page shares."""

import logging
import re
import sys

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import defaults

logger = logging.getLogger(__name__)

STAFF_SITE = "/admin/"
EMBED_PATH = "/embed/"
API_DOCS = "/api/docs/"
# The language prefix of a public page's address (/id/, /th/, /ar/; English has none).
LANGUAGE_CODES = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
LANGUAGE_PREFIX = re.compile(rf"^/(?:{LANGUAGE_CODES})(?=/)")


def is_embed(path):
    """Whether the address is an embed, in any language (/embed/…, /id/embed/…)."""
    return LANGUAGE_PREFIX.sub("", path, count=1).startswith(EMBED_PATH)


class LanguageFromTheAddressMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, without its ``Vary: Accept-Language``. The
    language comes only from the address (/id/, /th/, /ar/; English
    unprefixed, and the admin and API in English): Django sends the header on
    unprefixed pages all the same, and every proxy then keeps a copy of
    each English page for every browser language, all the same bytes."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if response.has_header("Vary"):
            kept = [name.strip() for name in response["Vary"].split(",") if name.strip().lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict public policy (settings.CONTENT_SECURITY_POLICY) on every page,
    except the staff site, which gets STAFF_CONTENT_SECURITY_POLICY: Django's
    admin and django-import-export still carry inline scripts and styles, and
    the public policy is not weakened for them. Embeds (/embed/) may be framed
    by any site."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path_info.startswith(STAFF_SITE):
            parts.config = settings.STAFF_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        if not report_only and parts.config is None and request.path_info.startswith(API_DOCS):
            # Swagger UI (served from this site) sets inline styles; nothing else is relaxed.
            parts.config = {
                **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                "style-src": ["'self'", "'unsafe-inline'"],
            }
        if not report_only and parts.config is None and is_embed(request.path_info):
            # Made to be framed by partner sites; everything else stays unframeable.
            parts.config = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "frame-ancestors": ["*"]}
        return parts


class EmbedsMayBeFramedMiddleware:
    """Embeds (/embed/) are made for partner sites to frame: this takes off the
    X-Frame-Options: DENY that Django's middleware (just inside this one) puts
    on every page, by path, so a page served from the cache keeps the rule.
    Their Content-Security-Policy says frame-ancestors * too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_embed(request.path_info):
            del response["X-Frame-Options"]
        return response


class DatabaseOutageMiddleware:
    """A clear 503 page, not a bare 500, while the database cannot be reached
    (connection refused or lost); the error is logged with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_a_database_outage(exception):
            return None
        logger.error("Database unavailable for %s", request.path, exc_info=exception)
        return database_unavailable(request)


def is_a_database_outage(exception):
    return isinstance(exception, InterfaceError | OperationalError)


def database_unavailable(request):
    """The 503 answer: JSON for the API (its readers are programs), the page for everyone else."""
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The database is briefly unavailable. Nothing is lost: please try again in a minute."},
            status=503,
        )
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """Django's 500 page (settings' handler500), except for a database outage
    met before any view ran, such as a signed-in page reading its session and
    user in the middleware: that is the 503 too."""
    if is_a_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)


class HeadWithoutBodyMiddleware:
    """Answer HEAD as GET but without the body (uptime monitors and link
    checkers use HEAD): Django renders the body, the app server would only drop it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:  # the data package: its file is closed with the response, unread
                response.streaming_content = []
            else:
                response.content = b""
        return response


def holds_nul(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class RefuseNulInQueryMiddleware:
    """A query string or a posted form with a NUL character gets a 400 that
    says so: no field of the tracker can hold one, and PostgreSQL refuses it
    in any query (a form field that looks records up, such as the admin's
    export, would otherwise answer 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if holds_nul(request.GET):
            return render(request, "400_nul.html", status=400)
        if request.method == "POST" and holds_nul(request.POST):
            return render(request, "400_nul.html", {"posted": True}, status=400)
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Staff who must sign in with a second factor (see ``two_factor_required``)
    reach nothing on the staff site until they have: every other page there
    sends them to the two-factor page, and back afterwards."""

    OPEN_BEFORE_SECOND_FACTOR = ("two-factor/", "login/", "logout/", "jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from states.admin_site import two_factor_required  # the admin site imports the models

        path = request.path_info
        user = request.user
        if (
            path.startswith(STAFF_SITE)
            and not path[len(STAFF_SITE) :].startswith(self.OPEN_BEFORE_SECOND_FACTOR)
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and two_factor_required(user)
        ):
            return redirect(f"{reverse('admin:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
