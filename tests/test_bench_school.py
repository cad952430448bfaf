"""The page benchmark's synthetic school (bench/school.py) is built through the journal's own
services. It is not run by the suite at its real sizes, so when a service's signature changes
nothing else would notice that `python bench/pages_bench.py` can no longer build a school:
this builds the smallest one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from journal.storage import get_store
from journal.storage.store import TEAM_MEMBER

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def app_config():
    return {"JOURNAL_LOAD_ENTRYPOINTS": True}  # the bundled plugins' templates, as installed


@pytest.fixture
def school_module(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import school

    yield school
    sys.modules.pop("school", None)


def test_the_benchmark_builds_a_school_through_the_services(app, school_module):
    with app.app_context():
        manifest = school_module.SchoolBuilder(300, progress=lambda *_: None).build()
        store = get_store()
        made = manifest["made"]
        assert [kind for kind in made if not made[kind]] == [], made
        assert len(store.entries.all_readonly()) == made["entries"]
        mine = store.trajectories.find_in(TEAM_MEMBER, [manifest["users"]["leraar"]])
        assert len(mine) == school_module.TEACHER_TRAJECTORIES
        assert manifest["trajectory_id"] in {t["id"] for t in mine}
        assert store.entries.get(manifest["entry_id"])["trajectory_id"] == manifest["trajectory_id"]
