"""The world the matrix tests walk: two teams, every kind of pupil object of team B
marked with :data:`MARKER`, URL fillers pointing at them, and the routes to try.

Shared by the access matrix (``test_access_matrix.py``) and the CSRF matrix
(``test_csrf_matrix.py``); the ``world`` fixture lives in ``conftest.py``.
"""

from __future__ import annotations

from journal import hookimpl
from journal.storage import get_store

#: A word that appears in every piece of the other team's data, and nowhere else.
MARKER = "zeta"
#: Searched for on every page (the search page echoes it, so it is not the marker).
QUERY = "omega"

#: URL arguments that point at pupil data: a request with one of them must be refused.
OBJECT_ARGS = {"trajectory_id", "entry_id", "goal_id", "pupil_id", "note_id", "comment_id",
               "evaluation_id", "contribution_id", "key", "rev", "attachment_id", "link_id",
               "visit_id"}

#: The signed-in people outside the other team (the coordinator legitimately reads everything).
OUTSIDERS = ("teacher", "support", "admin")
#: The other team and the coordinator: at least one of them reaches every object route.
INSIDERS = ("outsider_teacher", "outsider_support", "coordinator")


def attachments(trajectory: dict, actor: dict) -> tuple[dict, dict]:
    """A photo on team B's handover sheet, and a picture of a shared practice example."""
    import io

    from PIL import Image

    from journal.process import attachments

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "purple").save(out, "JPEG")
    photo = [("Zeta-rooster.jpg", out.getvalue(), "Zeta-bijschrift")]
    (attachment,) = attachments.add(actor, trajectory["id"], "handover", trajectory["id"], photo)
    (picture,) = attachments.add(actor, None, "practice", "some-example",
                                 [("kaart.jpg", out.getvalue(), "")])
    return attachment, picture


def fillers(world, users) -> dict[str, str]:
    """Values for URL arguments, all pointing at team B's data."""
    return {
        "trajectory_id": world["theirs"]["id"],
        "pupil_id": world["pupil"]["id"],
        "goal_id": world["goal"]["id"],
        "entry_id": world["entry"]["id"],
        "comment_id": world["comment"]["id"],
        "note_id": world["note"]["id"],
        "evaluation_id": "evaluation-of-zeta",
        "contribution_id": "contribution-of-zeta",
        "key": "t00000000",
        "rev": "1",
        "token_id": world["token"]["id"],
        "user_id": world["bystander"]["id"],
        "name": "no-such-plugin",
        "example_id": "no-such-example",  # practice examples hold no pupil data
        "attachment_id": world["attachment"]["id"],
        "visit_id": world["visit"]["id"],
        "picture_id": world["picture"]["id"],  # a practice example's picture: no pupil data
        "link_id": world["link"]["id"],  # a parent's personal link to team B's pupil
        "fmt": "csv",
        "format_id": "matrix.everything",  # see ExportEverything
        "kind": "observation",
        "template_id": "ass.predictability",
        "version": "1",
        "provider_id": "no-such-provider",  # sign-in providers hold no pupil data
        "link_id": "no-such-link",  # links to a centre hold no pupil data
        "school_template_id": "no-such-school-template",  # school templates hold no pupil data
    }


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        decision = getattr(app.view_functions[rule.endpoint], "access_decision", None)
        if decision == "public":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def snapshot() -> dict:
    store = get_store()
    tables = ("pupils", "trajectories", "goals", "entries", "comments", "restricted_notes",
              "attachments", "voices", "family_pages", "family_links")
    return {name: sorted((d["id"], d.get("rev")) for d in getattr(store, name).all())
            for name in tables}



class ExportEverything:
    """A plugin export format that writes out everything it is given (the marker included)."""

    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Matrix", "description": "", "api_version": 1}

    @hookimpl
    def journal_export_formats(self):
        def render(trajectory, entries, goals):
            return repr((trajectory, entries, goals))

        return [{"id": "everything", "label": "alles", "mimetype": "text/plain",
                 "extension": "txt", "render": render}]
