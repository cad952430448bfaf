"""The parents' inspection copy: everything about one pupil, readable and as JSON.

The copy is built from the stored documents (:mod:`.dossier`) into plain,
id-free data: people appear by name and role, never by account id, and
secrets never appear. Other pupils' names are removed in a review step
(:mod:`.redaction`) before the copy is handed out.
"""

from __future__ import annotations

from ..process import entry_forms
from ..process import goals as goal_service
from ..process import phases
from ..storage import get_store
from ..storage.store import utcnow
from . import dossier
from . import redaction

#: Fields never put in a copy (rendered HTML is rebuilt from the redacted text).
SKIPPED = {"id", "rev", "html", "updated_by", "created_by", "password_hash", "digest",
           "trajectory_id", "pupil_id", "entry_id", "goal_id", "template", "phase_history",
           "goal_ids", "focus_areas", "spec_hash"}


def _people() -> dict[str, str]:
    return {u["id"]: u.get("display_name") or u["username"] for u in get_store().users.all()}


def _plain(value, people: dict[str, str]):
    """Copy ``value`` without ids and secrets; ``*_id`` user references become names."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in SKIPPED:
                continue
            if key.endswith("_id") and isinstance(item, str):
                if item in people:
                    out[key[:-3]] = people[item]
                continue
            if key.endswith("_ids") or key == "authors":
                out[key.removesuffix("_ids")] = [people.get(i, "") for i in item or () if i in people]
                continue
            out[key] = _plain(item, people)
        return out
    if isinstance(value, list):
        return [_plain(v, people) for v in value]
    return value


def _fields(entry: dict, people: dict) -> dict:
    """An entry's fields without ids: a meeting's participants and agreements in words."""
    fields = _plain(entry.get("fields", {}), people)
    if entry.get("kind") == "meeting":
        from ..process.meetings import describe

        fields.update(describe(entry))
    return fields


def _entry(entry: dict, comments: list[dict], history: list[dict], people: dict) -> dict:
    out = {
        "kind": str(entry_forms.KIND_LABELS.get(entry["kind"], entry["kind"])),
        "date": entry.get("date"),
        "status": entry.get("status"),
        "authors": [people.get(a, "") for a in entry.get("authors", ()) if a in people],
        "tags": entry.get("tags", []),
        "internal": bool(entry.get("internal")),
        "breach_of_rules": bool(entry.get("breach_of_rules")),
        "fields": _fields(entry, people),
        "answers": _plain(entry.get("answers") or {}, people),
        "created_at": entry.get("created_at"),
        "updated_at": entry.get("updated_at"),
        "comments": [{"author": people.get(c.get("author_id"), ""), "at": c.get("created_at"),
                      "body": c.get("body", "")} for c in comments],
    }
    if history:
        out["earlier_versions"] = [
            {"replaced_at": r["replaced_at"], "replaced_by": people.get(r.get("replaced_by"), ""),
             "fields": _plain(r["document"].get("fields", {}), people)} for r in history]
    return out


def _voice(voice: dict, people: dict) -> dict:
    """What the pupil or the parents said, with who wrote it down (a name, never an id)."""
    if voice.get("link_id"):
        by = voice.get("recorded_name", "")
    else:
        by = people.get(voice.get("recorded_by"), "")
    return {"speaker": voice.get("speaker"), "date": voice.get("date"),
            "text": voice.get("text", ""), "agrees_with_goal": bool(voice.get("agrees")),
            "written_by": by, "on_their_own_page": bool(voice.get("link_id"))}


def _files(attachments: list[dict], trajectory_id: str, entry_ids: set[str],
           every_entry: bool) -> list[dict]:
    """The trajectory's photos, scans and PDFs, the files themselves in base64.

    A file on an entry goes only when the entry goes (the transfer package leaves some out).
    """
    import base64

    from ..process import attachments as attachment_service

    out = []
    for doc in sorted(attachments, key=lambda d: d.get("created_at") or ""):
        if doc.get("trajectory_id") != trajectory_id:
            continue
        if doc["owner_type"] == "entry" and not every_entry and doc["owner_id"] not in entry_ids:
            continue
        if doc["owner_type"] == "adaptation" and not every_entry and \
                doc["owner_id"].startswith("entry.") and \
                doc["owner_id"].split(".")[1] not in entry_ids:
            continue
        try:
            data = base64.b64encode(attachment_service.read(doc)).decode("ascii")
        except FileNotFoundError:
            data = None  # `journal check` reports the missing file
        out.append({"name": doc.get("name", ""), "type": attachment_service.mimetype(doc),
                    "caption": doc.get("caption", ""), "attached_to": doc["owner_type"],
                    "added_at": doc.get("created_at"), "sha256": doc["file"].get("sha256"),
                    "content_base64": data})
    return out


def build(pupil_id: str, *, with_history: bool = False, with_restricted: bool = True,
          entry_filter=None) -> dict:
    """Return the copy of everything about one pupil as plain data.

    :param with_history: add the earlier versions of entries and goals.
    :param with_restricted: add the restricted section (diagnoses, reports, health).
    :param entry_filter: keep only entries for which this returns true (transfer).
    """
    docs = dossier.pupil_documents(pupil_id)
    people = _people()
    history = dossier.history_of(docs) if with_history else []
    by_object: dict[str, list[dict]] = {}
    for record in history:
        by_object.setdefault(record["object_id"], []).append(record)
    pupil = docs["pupils"][0] if docs["pupils"] else {}
    copy = {
        "generated_at": utcnow(),
        "pupil": {"name": pupil.get("display_name", ""), "class_group": pupil.get("class_group", ""),
                  "left_on": pupil.get("left_on")},
        "trajectories": [],
    }
    for trajectory in sorted(docs["trajectories"], key=lambda t: t.get("start_date") or ""):
        tid = trajectory["id"]
        kept = [e for e in docs["entries"] if e.get("trajectory_id") == tid
                and (entry_filter is None or entry_filter(e))]
        voices = sorted((v for v in docs.get("voices", ()) if v.get("trajectory_id") == tid),
                        key=lambda v: (v.get("date") or "", v.get("created_at") or ""))
        item = {
            "title": trajectory.get("title", ""),
            "phase": str(phases.label(trajectory.get("phase", ""))),
            "start_date": trajectory.get("start_date"),
            "planned_end_date": trajectory.get("planned_end_date"),
            "closed_on": trajectory.get("closed_on"),
            "educational_need": trajectory.get("educational_need", ""),
            "learning_question": trajectory.get("learning_question", ""),
            "team": [{"name": people.get(m["user_id"], ""), "role": m.get("role")}
                     for m in trajectory.get("members", ())],
            "voices": [_voice(v, people) for v in voices if not v.get("goal_id")],
            "goals": [
                {"text": g.get("text", ""), "status": str(goal_service.STATUS_LABELS.get(
                    g.get("status"), g.get("status"))), "review_date": g.get("review_date"),
                 "evaluations": _plain(g.get("evaluations", []), people),
                 "voices": [_voice(v, people) for v in voices if v.get("goal_id") == g["id"]]}
                for g in docs["goals"] if g.get("trajectory_id") == tid],
            "entries": [
                _entry(e, sorted((c for c in docs["comments"] if c.get("entry_id") == e["id"]),
                                 key=lambda c: c["created_at"]), by_object.get(e["id"], []), people)
                for e in sorted(kept, key=lambda e: (e.get("date") or "", e["created_at"]))],
        }
        item["personal_links"] = [
            {"for": link.get("audience"), "name": link.get("name", ""),
             "made_on": (link.get("created_at") or "")[:10], "made_by": people.get(
                 link.get("created_by"), ""), "works_until": link.get("expires_on"),
             "stopped_on": (link.get("revoked_at") or "")[:10] or None,
             "last_opened_on": link.get("last_opened_on")}
            for link in sorted(docs.get("family_links", ()), key=lambda d: d.get("created_at", ""))
            if link.get("trajectory_id") == tid]
        item["files"] = _files(docs.get("attachments", []), tid, {e["id"] for e in kept},
                               entry_filter is None)
        if with_restricted:
            item["restricted"] = [{"category": n.get("category"), "title": n.get("title", ""),
                                   "text": n.get("text", ""), "created_at": n.get("created_at")}
                                  for n in docs["restricted_notes"] if n.get("trajectory_id") == tid]
        copy["trajectories"].append(item)
    plugin_data = {name.removeprefix("plugin:"): _plain(found, people)
                   for name, found in docs.items() if name.startswith("plugin:")}
    if plugin_data:
        copy["plugin_data"] = plugin_data
    return copy


def review_copy(actor: dict, pupil_id: str, *, with_history: bool = False) -> tuple[dict, dict]:
    """Return ``(pupil, copy)`` for the care coordinator to review other pupils' names in;
    the review is audited.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    """
    pupil = dossier.load_pupil(actor, pupil_id)
    data = build(pupil_id, with_history=with_history, with_restricted=True)
    dossier.record_reading(actor, pupil, "inspection_review")
    return pupil, data


def hand_out_copy(actor: dict, pupil_id: str, *, with_history: bool, with_restricted: bool,
                  terms: list[str], fmt: str) -> tuple[dict, dict, int]:
    """Return ``(pupil, copy, names removed)``: the inspection copy without ``terms``.

    The parents' request is recorded, and the copy handed out is audited.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    """
    pupil = dossier.load_pupil(actor, pupil_id)
    data = build(pupil_id, with_history=with_history, with_restricted=with_restricted)
    data, removed = redaction.redact(data, terms)
    get_store().privacy_requests.create(
        {"pupil_id": pupil_id, "kind": "inspection", "format": fmt, "history": with_history,
         "restricted": with_restricted, "redactions": removed, "recorded_by": actor["id"]},
        actor_id=actor["id"])
    dossier.record_reading(actor, pupil, f"inspection:{fmt}:redacted={removed}", action="export")
    return pupil, data, removed
