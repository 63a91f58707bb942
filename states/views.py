import datetime
import re

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from states.models import ROME_STATUTE, CountingRule, State, Treaty, TreatyStatus


class MalformedDate(ValueError):
    pass


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_of_date(request):
    """The date a page's figures are for: ``?as_of=YYYY-MM-DD``, else today."""
    value = request.GET.get("as_of", "").strip()
    if not value:
        return timezone.localdate()
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise MalformedDate(value) from None


def bad_as_of(request, value):
    return render(request, "bad_as_of.html", {"value": value}, status=400)


@require_GET
def overview(request):
    try:
        as_of = as_of_date(request)
    except MalformedDate as error:
        return bad_as_of(request, str(error))
    rule = CountingRule.ICC_ASIA_PACIFIC
    counted = State.objects.in_counting_rule(rule)
    rome_statute = Treaty.objects.filter(slug=ROME_STATUTE).first()
    status_counts = counted.count_by_treaty_status(rome_statute, as_of) if rome_statute else None
    position_counts = counted.count_by_convention_position(as_of)
    researched, counted_total = counted.research_coverage(as_of)
    return render(
        request,
        "overview.html",
        {
            "as_of": as_of,
            "rule": rule,
            "counted_total": counted_total,
            "rome_statute": rome_statute,
            "status_counts": status_counts,
            "states_parties": status_counts[TreatyStatus.STATE_PARTY] if status_counts else None,
            "position_counts": position_counts,
            "submission_counts": counted.count_by_submission(as_of),
            "researched": researched,
        },
    )
