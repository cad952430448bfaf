"""Pictures for a practice example: only the source's team picks, uploads and reviews them.

The sources of a practice example are named in the query and the form (``entry_id``,
``pictures``, ``confirmed``), not in the URL path, so the route-walking matrices do not
reach them with team B's ids; this file aims those fields at team B for every outsider.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from flask_wtf.csrf import CSRFError

from journal.process import attachments
from journal.storage import get_store

from .test_csrf_matrix import REFUSED
from .world import MARKER
from .world import OUTSIDERS
from .world import snapshot


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def agreements(world, users, make_entry):
    """A published agreement with a picture in each team."""
    theirs = make_entry(world["theirs"], users["outsider_teacher"], "agreement",
                        what="Zeta-afspraak")
    (their_picture,) = attachments.add(users["outsider_teacher"], world["theirs"]["id"], "entry",
                                       theirs["id"], [("zeta.jpg", _jpeg(), "Zeta-stappenkaart")])
    mine = make_entry(world["mine"], users["teacher"], "agreement", what="Een kaart.")
    return {"theirs": theirs, "their_picture": their_picture, "mine": mine}


def _denials() -> int:
    return sum(1 for r in get_store().audit.all() if r["action"] == "denied")


def test_no_outsider_picks_uploads_or_shares_another_teams_pictures(app, users, login,
                                                                      agreements):
    picture = agreements["their_picture"]
    source = {"entry_id": agreements["theirs"]["id"], "title": "x", "learned": "x",
              "text": "x", "pictures": picture["id"], "confirmed": picture["id"]}
    before = snapshot()
    for who in OUTSIDERS:
        client = login(app.test_client(), who)
        tries = [
            lambda: client.get("/practice/new", query_string={"entry_id": source["entry_id"]}),
            lambda: client.post("/practice/new", data=dict(source, action="review")),
            lambda: client.post("/practice/new", content_type="multipart/form-data",
                                data=dict(source, action="upload",
                                          attachments=(io.BytesIO(_jpeg()), "a.jpg"))),
            lambda: client.post("/practice/export", data=source),
        ]
        for attempt in tries:
            denied = _denials()
            response = attempt()
            assert response.status_code in (403, 404), (who, response.request.path)
            assert MARKER not in response.get_data(as_text=True).lower()
            assert _denials() > denied, f"{who}: {response.request.path} refused unaudited"
        if who == "admin":
            continue
        # Their own agreement, with team B's picture named in the form: it never comes along.
        own = dict(source, entry_id=agreements["mine"]["id"], action="review")
        review = client.post("/practice/new", data=own)
        assert review.status_code == 200 and picture["id"] not in review.get_data(as_text=True)
        exported = client.post("/practice/export", data=own)
        assert exported.status_code in (200, 409)
        assert "pictures" not in exported.get_data(as_text=True)
        assert MARKER not in exported.get_data(as_text=True).lower()
    assert snapshot() == before
    assert all(r["detail"].split(":")[1] != "no_person_confirmed"
               for r in get_store().audit.all() if r.get("object_id") == picture["id"]
               and r["action"] == "update")


def test_a_picture_upload_for_an_example_needs_the_csrf_token(app, users, login, agreements):
    app.register_error_handler(CSRFError, lambda error: (REFUSED, 400))
    client = login(app.test_client(), "teacher")
    app.config["WTF_CSRF_ENABLED"] = True
    entry_id = agreements["mine"]["id"]
    page = client.get("/practice/new", query_string={"entry_id": entry_id})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data = {"entry_id": entry_id, "title": "Kaart", "learned": "x", "text": "x",
            "action": "upload"}
    refused = client.post("/practice/new", content_type="multipart/form-data",
                          data=dict(data, attachments=(io.BytesIO(_jpeg()), "kaart.jpg")))
    assert refused.get_data(as_text=True) == REFUSED
    assert attachments.of_owner("entry", entry_id) == []
    accepted = client.post("/practice/new", content_type="multipart/form-data",
                           data=dict(data, csrf_token=token,
                                     attachments=(io.BytesIO(_jpeg()), "kaart.jpg")))
    assert accepted.status_code == 200
    (kept,) = attachments.of_owner("entry", entry_id)
    assert f'name="pictures" value="{kept["id"]}" checked' in accepted.get_data(as_text=True)
