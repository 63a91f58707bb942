"""Chart geometry for server-rendered SVG: the templates draw what these return.

Each chart also comes with its numbers, shown as a table beside it, so it reads
without sight or JavaScript.
"""

import datetime

from states.maps import category_style, pattern_id

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 28


def cumulative_steps(steps, until, width=WIDTH, year_ticks=7):
    """A step line of States Parties over time, from ``steps`` [(date, count)],
    ``width`` units wide with about ``year_ticks`` years marked. Pages draw it
    twice: 640 wide for a wide screen, 360 wide (fewer years) for a phone,
    where the wide one would shrink its letters to 7 px."""
    start = datetime.date(steps[0][0].year, 1, 1)
    end = max(until, start + datetime.timedelta(days=1))
    top_count = max(max(count for _, count in steps), 1)
    ceiling = top_count + (5 - top_count % 5 if top_count % 5 else 0)
    height = 220
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(day):
        return round(LEFT + (day - start).days / (end - start).days * plot_w, 1)

    def y(count):
        return round(TOP + plot_h - count / ceiling * plot_h, 1)

    points, previous = [], None
    for day, count in steps:
        if previous is not None:
            points.append((x(day), y(previous)))
        points.append((x(day), y(count)))
        previous = count
    points.append((x(end), y(previous)))
    years = range(start.year, end.year + 1, max(1, (end.year - start.year) // year_ticks or 1))
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{px},{py}" for px, py in points),
        "x_ticks": [{"x": x(datetime.date(year, 1, 1)), "label": year} for year in years],
        "y_ticks": [{"y": y(value), "label": value} for value in range(0, ceiling + 1, 5)],
        "baseline": y(0),
        "left": LEFT,
        "right": width - RIGHT,
        "steps": steps,
        "latest": previous,
    }


def stacked_bars(rows, categories):
    """Horizontal stacked bars: ``rows`` is [(label, {category: count})]. Each
    segment's place and width are percentages of the longest bar, so a bar
    fills whatever width the screen gives it: a phone shows every bar whole,
    its label above it, in letters of the page's own size."""
    longest = max((sum(counts.values()) for _, counts in rows), default=1) or 1
    bars = []
    for label, counts in rows:
        start, segments = 0, []
        for category in categories:
            count = counts.get(category, 0)
            if count:
                segments.append(
                    {
                        "x": f"{start / longest * 100:.2f}%",
                        "width": f"{count / longest * 100:.2f}%",
                        "fill": pattern_id(category_style(category)),
                        "label": category.label,
                        "count": count,
                    }
                )
                start += count
        bars.append(
            {
                "label": label,
                "segments": segments,
                "total": sum(counts.values()),
                "cells": [counts.get(category, 0) for category in categories],
            }
        )
    return {"bar_height": 22, "bars": bars}
