"""The schools' aggregated figures side by side, for the centre's director.

Each linked school that shares patterns is asked (a signed call, all at once)
for its figures per focus area for one school year
(:mod:`journal.federation.shared_patterns`: cells under five pupils arrive
already suppressed). They become the same accessible charts, tables and CSV as
a school's own patterns page (:mod:`journal.charts`), one bar per school.
Nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _

from ..charts import Chart
from ..charts import Series
from ..federation import client
from ..federation import links
from ..federation.shared_patterns import METRICS
from ..federation.shared_patterns import MIN_PUPILS
from ..process import pattern_scope as school_patterns
from ..process import today
from ..security.audit import audit

_AREA = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_AREAS = 60
#: School years offered: this one and the ones before.
YEARS_BACK = 3


@dataclass
class SchoolFigures:
    """One school's answer: ``status`` ``ok`` or ``unreachable``; ``areas`` cleaned rows."""

    link_id: str
    school: str
    status: str
    areas: list[dict] = field(default_factory=list)


def school_years() -> list[str]:
    """Return the school years offered, the current one first."""
    first = int(school_patterns.school_year_of(today())[:4])
    return [f"{y}-{y + 1}" for y in range(first, first - YEARS_BACK, -1)]


def _number(value):
    if value is None:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**7 \
        else None


def clean_areas(raw) -> list[dict]:
    """Return a school's rows with only well-formed values (a number, or ``None``: suppressed)."""
    out = []
    for row in (raw if isinstance(raw, list) else [])[:MAX_AREAS]:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) \
                or not _AREA.match(row["id"]):
            continue
        label = row.get("label") if isinstance(row.get("label"), str) else row["id"]
        out.append({"id": row["id"], "label": " ".join(label.split())[:80] or row["id"],
                    **{m: _number(row.get(m)) for m in METRICS}})
    return out


def collect(actor: dict, school_year: str) -> list[SchoolFigures]:
    """Ask every school that shares patterns for its figures of ``school_year``."""
    sharing = links.sharing("patterns")
    calls = {link["id"]: (client.Peer.of(link), "GET",
                          f"/federation/v1/patterns?school_year={school_year}", None)
             for link in sharing}
    answers = client.call_each(calls, timeout=links.timeout(), skew=links.skew())
    out = []
    for link in sharing:
        answer = answers.get(link["id"])
        if isinstance(answer, dict) and answer.get("school_year") == school_year:
            out.append(SchoolFigures(link["id"], link["peer_name"], "ok",
                                     clean_areas(answer.get("areas"))))
        else:
            out.append(SchoolFigures(link["id"], link["peer_name"], "unreachable"))
    audit("view", object_type="patterns", user_id=actor["id"], detail=f"schools:{school_year}")
    return out


def charts(found: list[SchoolFigures]) -> list[Chart]:
    """Return one chart per figure: a row per focus area, a bar per school."""
    schools = [f for f in found if f.status == "ok"]
    labels: dict[str, str] = {}
    for figures in schools:
        for row in figures.areas:
            labels.setdefault(row["id"], row["label"])
    series = tuple(Series(f.link_id, f.school) for f in schools)
    titles = {
        "trajectories": (_("Trajectories by focus area"),
                         _("Per focus area: how many trajectories each school has.")),
        "adaptations_tried": (_("Adaptations tried"),
                              _("Per focus area: adaptations tried in each school.")),
        "adaptations_working": (_("Adaptations working"),
                                _("Per focus area: adaptations marked as working in each "
                                  "school.")),
        "goals_reached": (_("Goals reached"),
                          _("Per focus area: goals achieved in each school.")),
    }
    out = []
    for metric in METRICS:
        title, description = titles[metric]
        rows = []
        for area, label in labels.items():
            values = {}
            for figures in schools:
                row = next((r for r in figures.areas if r["id"] == area), None)
                # A school without the area has none of it; a suppressed cell stays None.
                values[figures.link_id] = row[metric] if row is not None else 0
            rows.append((label, values))
        out.append(Chart(id=metric, title=title, description=description + " " + _(
            "Fewer than %(n)d pupils: not shown (%(mark)s).", n=MIN_PUPILS, mark=f"<{MIN_PUPILS}"),
            row_heading=_("Focus area"), series=series, rows=rows,
            suppressed_label=f"<{MIN_PUPILS}"))
    return out
