"""Figures and the map for partner sites to frame (/embed/...), and the same
figures as small SVG badges. Only /embed/ pages may be framed by another
site (states.middleware.ContentSecurityPolicyMiddleware); every other page refuses it."""

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from states.choices import ConventionPosition, SubmissionStatus, TreatyStatus
from states.dimensions import POSITION, ROME_STATUTE, SUBMISSION, Dimension


@dataclass(frozen=True)
class EmbeddableFigure:
    """A count of one category of a dimension (``states.dimensions``), as a partner frames it."""

    label: str  # what the number counts, after the number ("19 States Parties to the Rome Statute")
    dimension: Dimension
    category: str

    def count(self, figures):
        return figures.counts(self.dimension)[self.category]

    def evidence(self, figures):
        """What the number rests on, in words."""
        return figures.evidence(self.dimension)[self.category]


FIGURES = {
    "rome-statute-parties": EmbeddableFigure(
        _("States Parties to the Rome Statute"), ROME_STATUTE, TreatyStatus.STATE_PARTY
    ),
    "convention-supporters": EmbeddableFigure(
        _("states support a crimes-against-humanity convention"), POSITION, ConventionPosition.SUPPORTS
    ),
    "written-comments": EmbeddableFigure(
        _("states sent written comments under UNGA resolution 77/249"), SUBMISSION, SubmissionStatus.MADE
    ),
}


def embeddable_figures(dimensions):
    """Every figure a partner can frame, by the name in its address: the
    declared ones, then the States Parties to each other open treaty of
    ``dimensions`` (``states.dimensions.tracked_dimensions``), named after
    its slug (/embed/figure/kampala-aggression-parties/): a new treaty needs
    no entry here."""
    per_treaty = {
        f"{dimension.treaty.slug}-parties": EmbeddableFigure(
            gettext("States Parties to the %(treaty)s") % {"treaty": dimension.label},
            dimension,
            TreatyStatus.STATE_PARTY,
        )
        for dimension in dimensions.values()
        if dimension.treaty and dimension.treaty.is_open
    }
    return {**FIGURES, **per_treaty}
