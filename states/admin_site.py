"""The staff site: Django's admin with the research queue and two-factor
sign-in as pages of its own.

``states.apps.StaffAdminConfig`` (in INSTALLED_APPS in place of
django.contrib.admin) makes it the default site, so ``admin.site`` and
``@admin.register`` mean this site.
"""

import segno
from django import forms
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from states.choices import CorrectionStatus
from states.dimensions import tracked_dimensions
from states.models import (
    REVIEWED_MODELS,
    CorrectionReport,
    State,
    Treaty,
)

SHOWN_PER_LIST = 200  # the heading gives the full count


def not_yet_researched(standings):
    """[(what, [states nobody has researched for it])]: each tracked dimension
    (states.dimensions) where a state can be unresearched: the position, the
    written comments, and each open treaty whose actions were not researched
    for every state."""
    return [
        (dimension.label, [s.state for s in standings if dimension.category_of(s) == dimension.not_yet_researched])
        for dimension in tracked_dimensions(standings).values()
        if dimension.not_yet_researched in dimension.categories
    ]


def queue_listing(querysets):
    """[(kind of fact, [(fact, its admin link)], how many)] for each (model, queryset)."""
    return [
        (
            model._meta.verbose_name_plural,
            [
                (fact, reverse(f"admin:states_{model._meta.model_name}_change", args=[fact.pk]))
                for fact in queryset.with_names()[:SHOWN_PER_LIST]
            ],
            queryset.count(),
        )
        for model, queryset in querysets
    ]


RECOVERY_CODES = 10


def set_password_link(user, site_url):
    """A one-time link for ``user`` to choose a password: Django's password
    reset token, which stops working once the password is set."""
    path = reverse(
        "admin:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url + path


def two_factor_required(user):
    """Who must sign in with a second factor: superusers and those who may
    publish (Publishers); an editor who set one up uses it too."""
    return user.is_superuser or State.may_publish(user) or user_has_device(user)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class StaffAdminSite(admin.AdminSite):
    site_header = _("CAH Tracker staff")
    site_title = _("CAH Tracker staff")
    index_title = _("Records")

    def get_urls(self):
        return [
            path("research-queue/", self.admin_view(self.research_queue), name="research_queue"),
            path("waiting-for-review/", self.admin_view(self.waiting_for_review), name="waiting_for_review"),
            path("two-factor/", self.admin_view(self.two_factor), name="two_factor"),
            # Open without signing in: the link itself is the proof (see set_password_link).
            path(
                "set-password/<uidb64>/<token>/",
                PasswordResetConfirmView.as_view(success_url=reverse_lazy("admin:set_password_done")),
                name="set_password",
            ),
            path(
                "set-password/done/",
                PasswordResetCompleteView.as_view(extra_context={"login_url": reverse_lazy("admin:login")}),
                name="set_password_done",
            ),
            *super().get_urls(),
        ]

    def drafts_in_review(self, user):
        """[(kind of fact, [drafts])] for the kinds of fact ``user`` may view, oldest first."""
        return [
            (
                model._meta.verbose_name_plural,
                list(model.objects.drafts().with_names().order_by("pk")[:SHOWN_PER_LIST]),
            )
            for model in REVIEWED_MODELS
            if user.has_perm(f"states.view_{model._meta.model_name}")
        ]

    def index(self, request, extra_context=None):
        waiting = sum(
            model.objects.drafts().filter(sent_back_note="").count()
            for model in REVIEWED_MODELS
            if request.user.has_perm(f"states.view_{model._meta.model_name}")
        )
        return super().index(request, {**(extra_context or {}), "waiting_for_review": waiting})

    def waiting_for_review(self, request):
        """Every draft, with who proposed it, when and why, and whether it was sent back."""
        listing = self.drafts_in_review(request.user)
        if not listing:
            raise PermissionDenied
        rows = [
            (
                kind,
                [
                    (draft, draft.proposal, reverse(f"admin:states_{draft._meta.model_name}_change", args=[draft.pk]))
                    for draft in drafts
                ],
            )
            for kind, drafts in listing
        ]
        context = {**self.each_context(request), "title": _("Waiting for review"), "listing": rows}
        return render(request, "admin/waiting_for_review.html", context)

    def research_queue(self, request):
        """What staff should research or check next, and drafts waiting for
        review: each list only for staff who may view what it lists."""
        user = request.user
        viewable = [model for model in REVIEWED_MODELS if user.has_perm(f"states.view_{model._meta.model_name}")]
        may_see_corrections = user.has_perm("states.view_correctionreport")
        if not viewable and not may_see_corrections:
            raise PermissionDenied
        standings = State.objects.standings(Treaty.objects.rome_statute()) if user.has_perm("states.view_state") else []
        corrections = CorrectionReport.objects.none()
        if may_see_corrections:
            corrections = CorrectionReport.objects.select_related("state")
        context = {
            **self.each_context(request),
            "title": _("Research queue"),
            "not_researched": not_yet_researched(standings),
            "drafts": queue_listing((model, model.objects.drafts()) for model in viewable),
            "never_primary": queue_listing(
                (model, model.objects.published().never_checked_against_primary()) for model in viewable
            ),
            "may_see_corrections": may_see_corrections,
            "corrections": corrections.order_by(
                Case(When(status=CorrectionStatus.NEW, then=0), default=1), "-submitted_at"
            )[:SHOWN_PER_LIST],
            "new_corrections": corrections.filter(status=CorrectionStatus.NEW).count(),
            "stale": queue_listing((model, model.objects.published().due_for_reverification()) for model in viewable),
        }
        return render(request, "admin/research_queue.html", context)

    def two_factor(self, request):
        """Set up two-factor sign-in (a QR code for an authenticator app, then
        recovery codes shown once), or, once set up, enter a code."""
        user = request.user
        next_url = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        context = {**self.each_context(request), "title": _("Two-factor sign-in"), "next": next_url}
        if user.is_verified():
            return render(request, "admin/two_factor_on.html", context)
        form = TokenForm(request.POST or None)
        if not user_has_device(user):
            return self.enrol(request, form, context)
        if form.is_valid():
            device = match_token(user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(next_url)
            form.add_error("token", _("That code is not right, or was already used. Try the next one."))
        return render(request, "admin/two_factor_verify.html", {**context, "form": form})

    def enrol(self, request, form, context):
        user = request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                device.confirmed = True
                device.save()
                otp_login(request, device)
                codes = self.new_recovery_codes(user)
                return render(request, "admin/two_factor_recovery.html", {**context, "codes": codes})
            form.add_error("token", _("That code is not right. Check the time on your phone and try the next one."))
        return render(
            request,
            "admin/two_factor_enrol.html",
            {
                **context,
                "form": form,
                # Drawn here, as SVG: the secret never leaves the site.
                "qr_code": segno.make(device.config_url).svg_inline(scale=5),
                "secret": device.config_url.split("secret=")[1].split("&")[0],
            },
        )

    @staticmethod
    def new_recovery_codes(user):
        """Replace the user's recovery codes; each works once."""
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        return codes
