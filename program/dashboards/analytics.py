"""Rights-holder analytics: detentions of goods bearing the organisation's marks by month and outcome.

The figures feed the rights holder's dashboard chart (free) and the analytics export (a paid feature,
``analytics_exports``, checked through :func:`program.tiers.features.require_feature`)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

from core import csvio
from core.extensions import db
from core.labels import csv_header
from core.timeutil import today
from program.cases import policy as case_policy
from program.cases.states import STATUS_LABELS


def last_months(months: int = 12, on: date | None = None) -> list[str]:
    """The ``months`` calendar months ending with the current one, as ``YYYY-MM``, oldest first."""
    day = on or today()
    year, month = day.year, day.month
    labels = []
    for _ in range(months):
        labels.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def detentions_by_month(user: Any, months: int = 12) -> dict[str, dict[str, int]]:
    """For the cases ``user`` may see (a rights holder: those bearing its marks): per month of the notice
    (last ``months`` months, empty ones included), how many cases are in each status (detained or an outcome)."""
    labels = last_months(months)
    counts: dict[str, Counter] = {label: Counter() for label in labels}
    for case in db.session.scalars(case_policy.visible_cases(user)):
        label = f"{case.notice_date:%Y-%m}"
        if label in counts:
            counts[label][case.status] += 1
    return {label: {status: counts[label][status] for status in STATUS_LABELS} for label in labels}


def detentions_csv(user: Any, months: int = 12) -> str:
    """The same figures as CSV: a row per month, a column per status (headers in words)."""
    data = detentions_by_month(user, months)
    out = io.StringIO()
    writer = csvio.writer(out)
    writer.writerow([*csv_header(["month"]), *STATUS_LABELS.values()])
    for month, by_status in data.items():
        writer.writerow([month, *by_status.values()])
    return out.getvalue()
