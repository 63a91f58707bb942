"""Figures and the map for partner sites to frame (/embed/...), and the same
figures as small SVG badges. Only /embed/ pages may be framed by another
site (states.middleware.ContentSecurityPolicyMiddleware); every other page refuses it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from states.choices import ConventionPosition, SubmissionStatus, TreatyStatus


@dataclass(frozen=True)
class EmbeddableFigure:
    label: str  # what the number counts, after the number ("19 States Parties to the Rome Statute")
    count: Callable  # figures -> the number
    evidence: Callable  # figures -> what it rests on, in words


FIGURES = {
    "rome-statute-parties": EmbeddableFigure(
        _("States Parties to the Rome Statute"),
        count=lambda figures: figures.states_parties,
        evidence=lambda figures: figures.treaty_status_evidence[TreatyStatus.STATE_PARTY],
    ),
    "convention-supporters": EmbeddableFigure(
        _("states support a crimes-against-humanity convention"),
        count=lambda figures: figures.position_counts[ConventionPosition.SUPPORTS],
        evidence=lambda figures: figures.position_evidence[ConventionPosition.SUPPORTS],
    ),
    "written-comments": EmbeddableFigure(
        _("states sent written comments under UNGA resolution 77/249"),
        count=lambda figures: figures.submission_counts[SubmissionStatus.MADE],
        evidence=lambda figures: figures.submission_evidence[SubmissionStatus.MADE],
    ),
}
