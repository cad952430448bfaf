"""The demo school: usable accounts, pupils, trajectories in every state, Dutch content."""

from __future__ import annotations

import json
import os
import stat
from datetime import date

import pytest

from journal.demo import create_demo_school
from journal.process import goals as goal_service
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(app):
    return create_demo_school()


def sign_in(app, username, password):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, username
    return client


def test_demo_accounts_cover_every_role_with_random_passwords(app, demo):
    roles = {name: info["roles"] for name, info in demo.items()}
    assert roles["leraar"] == ["teacher"] and roles["leraar2"] == ["teacher"]
    assert roles["ondersteuner"] == ["support"]
    assert roles["zorg"] == ["coordinator"] and roles["beheer"] == ["admin"]
    passwords = [info["password"] for info in demo.values()]
    assert len(set(passwords)) == len(passwords) and all(len(p) >= 15 for p in passwords)
    path = os.path.join(app.instance_path, "demo-accounts.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding="utf-8") as f:
        assert json.load(f) == demo


def test_a_second_demo_school_gets_other_passwords(tmp_path):
    from journal.plugins.testing import make_test_app

    apps = [make_test_app(tmp_path / name) for name in ("a", "b")]
    found = []
    for application in apps:
        with application.app_context():
            found.append(create_demo_school()["leraar"]["password"])
    assert found[0] != found[1]


def test_demo_school_has_pupils_trajectories_in_several_phases_and_an_overdue_goal(app, demo):
    store = get_store()
    pupils = store.pupils.all()
    assert len(pupils) >= 4 and all(p["class_group"] for p in pupils)
    trajectories = store.trajectories.all()
    assert {t["phase"] for t in trajectories} >= {"intake", "observation", "goals",
                                                  "implementation", "fading_out", "closed"}
    assert {t["target"] for t in trajectories} == {"pupil", "teacher", "team"}
    assert all(len(t["members"]) >= 2 for t in trajectories)
    goals = store.goals.all()
    assert any(goal_service.is_overdue(g) for g in goals)
    assert any(g["evaluations"] for g in goals)
    assert {g["status"] for g in goals} >= {"ongoing", "achieved"}
    entries = store.entries.all()
    assert {e["kind"] for e in entries} == {"observation", "reflection", "agreement", "one_to_one"}
    assert any(e["status"] == "draft" for e in entries)
    reflection = next(e for e in entries if e["kind"] == "reflection")
    authors = {c["author_id"] for c in reflection["fields"].get("contributions", [])}
    assert len(authors) == 2  # co-written, each contribution attributed
    assert store.comments.all()
    assert all(e["date"] <= date.today().isoformat() for e in entries)


def test_demo_content_is_written_in_dutch(app, demo):
    texts = " ".join(t["educational_need"] + " " + t["learning_question"]
                     for t in get_store().trajectories.all())
    for word in ("nood", "leerkracht", "instructies", "klas"):
        assert word in texts


def test_demo_accounts_can_sign_in_and_see_their_work(app, demo):
    teacher = sign_in(app, "leraar", demo["leraar"]["password"])
    page = teacher.get("/", headers=EN).get_data(as_text=True)
    assert "Ella: voorspelbaarheid bij overgangen" in page
    assert "Review overdue" in page and "My drafts" in page
    ella = next(t for t in get_store().trajectories.all() if t["title"].startswith("Ella"))
    assert teacher.get(f"/t/{ella['id']}").status_code == 200
    lars = next(t for t in get_store().trajectories.all() if t["phase"] == "intake")
    assert teacher.get(f"/t/{lars['id']}").status_code == 404

    coordinator = sign_in(app, "zorg", demo["zorg"]["password"])
    listing = coordinator.get("/t/?closed=1", headers=EN).get_data(as_text=True)
    assert all(t["id"] in listing for t in get_store().trajectories.all())

    admin = sign_in(app, "beheer", demo["beheer"]["password"])
    assert admin.get(f"/t/{ella['id']}").status_code == 404
    assert "Ella" not in admin.get("/", headers=EN).get_data(as_text=True)


def test_every_demo_trajectory_page_and_print_view_renders(app, demo):
    coordinator = sign_in(app, "zorg", demo["zorg"]["password"])
    for trajectory in get_store().trajectories.all():
        for tail in ("", "/print", "/print?all=1", "/history", "?view=condensed"):
            assert coordinator.get(f"/t/{trajectory['id']}{tail}").status_code == 200, tail
