"""Pages for trajectories: the list, opening one, its page with the timeline,
settings and team, phase changes, and the print view for a team meeting."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..plugins.host import get_plugins
from ..process import ValidationError
from ..process import entry_access
from ..process import entry_forms
from ..process import goals as goal_service
from ..process import lifecycle
from ..process import phases
from ..process import pupils as pupil_service
from ..process import today
from ..process import trajectories as service
from ..process.timeline import timeline
from ..process import voices as voice_service
from ..process import visits as visit_service
from ..process.text import plain_text
from ..process.text import shorten
from ..security import access
from ..storage import StaleRevision
from ..storage import get_store

bp = Blueprint("trajectories", __name__, url_prefix="/t")

#: Timeline items a trajectory's page shows before "Show older items".
TIMELINE_ITEMS = 20
#: Trajectories a page of the list shows (the coordinator's list holds the whole school).
LIST_PAGE = 100

FORM_FIELDS = ("target", "pupil_id", "new_pupil_name", "new_pupil_class", "title",
               "educational_need", "learning_question", "start_date", "planned_end_date")


#: Labels of the fields a revision history names as changed.
FIELD_LABELS = {
    "title": _l("Title"),
    "target": _l("Aimed at"),
    "pupil_id": _l("Pupil"),
    "educational_need": _l("Educational need"),
    "learning_question": _l("Learning question"),
    "focus_areas": _l("Focus areas"),
    "members": _l("Team"),
    "phase": _l("Phase"),
    "start_date": _l("Start date"),
    "planned_end_date": _l("Planned end date"),
    "text": _l("Goal"),
    "owner_id": _l("Owner"),
    "review_date": _l("Review date"),
    "status": _l("Status"),
    "evaluations": _l("Evaluations"),
}


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """The label of a stored field, for revision histories."""
    return str(FIELD_LABELS.get(name, name))


@bp.app_template_global()
def phase_label(phase_id: str) -> str:
    """The label of a phase, for templates."""
    return phases.label(phase_id)


@bp.app_template_global()
def trajectory_title(trajectory: dict, pupil: dict | None = None) -> str:
    """A short name for a trajectory, for templates."""
    return service.display_title(trajectory, pupil)


@bp.app_template_global()
def target_label(target: str) -> str:
    """The label of a trajectory's target (pupil, teacher, team), for templates."""
    return str(service.TARGET_LABELS.get(target, target))


@bp.route("/")
@access.login_required
def index():
    """List the trajectories the user may read, optionally by phase."""
    phase = request.args.get("phase", "")
    show_closed = request.args.get("closed") == "1"
    if phase not in phases.PHASE_IDS:
        phase = ""
    shown, page, pages = service.list_page(g.user, phase=phase, show_closed=show_closed,
                                           page=request.args.get("page", 1, type=int) or 1,
                                           size=LIST_PAGE)
    query = {k: v for k, v in (("phase", phase), ("closed", "1" if show_closed else "")) if v}
    return render_template("trajectories/index.html", rows=_rows(shown),
                           phase=phase, phases=phases.PHASES, show_closed=show_closed,
                           page=page, pages=pages, query=query)


def _rows(trajectories: list[dict]) -> list[dict]:
    """Table rows for trajectory lists: the trajectory, its pupil, review dates."""
    store = get_store()
    pupils = {p["id"]: p for p in store.pupils.find_in(
        "id", [t["pupil_id"] for t in trajectories if t.get("pupil_id")])}
    overdue = {g["trajectory_id"] for g in goal_service.overdue_goals(trajectories)}
    reviews = goal_service.next_review_dates([t["id"] for t in trajectories])
    return [
        {
            "trajectory": t,
            "pupil": pupils.get(t.get("pupil_id")),
            "next_review": reviews.get(t["id"]),
            "overdue": t["id"] in overdue,
        }
        for t in trajectories
    ]


# -- opening and editing -------------------------------------------------------

def _form_from_request() -> dict:
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    form["focus_areas"] = request.form.getlist("focus_areas")
    form["members"] = {
        key[len("member-"):]: value
        for key, value in request.form.items()
        if key.startswith("member-") and value
    }
    return form


def _form_from_trajectory(trajectory: dict) -> dict:
    form = {name: trajectory.get(name) or "" for name in FORM_FIELDS}
    form["focus_areas"] = list(trajectory.get("focus_areas", ()))
    form["members"] = {m["user_id"]: m["role"] for m in trajectory.get("members", ())}
    return form


def _data_from_form(form: dict) -> dict:
    data = {name: form.get(name) for name in FORM_FIELDS}
    data["new_pupil"] = {"display_name": form["new_pupil_name"],
                         "class_group": form["new_pupil_class"]}
    data["focus_areas"] = form["focus_areas"]
    data["members"] = [{"user_id": uid, "role": role} for uid, role in form["members"].items()]
    return data


def _form_page(template: str, form: dict, errors: dict, status: int = 200, **context):
    existing = context.get("trajectory")
    pupil_choices = pupil_service.visible_pupils(g.user)
    if existing and existing.get("pupil_id") and existing["pupil_id"] not in {
            p["id"] for p in pupil_choices}:
        current = get_store().pupils.get(existing["pupil_id"])
        if current:
            pupil_choices.append(current)
    return render_template(
        template,
        form=form,
        errors=errors,
        targets=[(t, str(service.TARGET_LABELS[t])) for t in service.TARGETS],
        pupil_options=[("", _("Choose a pupil"))]
        + [(p["id"], pupil_service.label(p)) for p in pupil_choices]
        + [("new", _("A new pupil (fill in below)"))],
        focus_options=[(a["id"], a["label"]) for a in service.focus_areas()],
        candidates=service.eligible_members(),
        **context,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@access.role_required("coordinator", "support", "teacher")
def new():
    """Open a new trajectory; the person opening it joins its team."""
    access.check_allowed(g.user, "open_trajectory")
    if request.method == "GET":
        form = {name: "" for name in FORM_FIELDS}
        form.update(target="pupil", start_date=today().isoformat(), focus_areas=[],
                    members={g.user["id"]: service.default_member_role(g.user)})
        if request.args.get("pupil_id"):
            form["pupil_id"] = request.args["pupil_id"]
        return _form_page("trajectories/form.html", form, {})
    form = _form_from_request()
    try:
        trajectory = service.create_trajectory(g.user, _data_from_form(form))
    except ValidationError as exc:
        return _form_page("trajectories/form.html", form, exc.errors, 400)
    flash(_("The trajectory has been opened."), "success")
    return redirect(url_for("trajectories.show", trajectory_id=trajectory["id"]))


@bp.route("/<trajectory_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str):
    """Change what a trajectory is about, its dates and its team (coordinator or ondersteuner)."""
    trajectory = service.load_trajectory(g.user, trajectory_id, access.MANAGE)
    if request.method == "GET":
        return _form_page("trajectories/form.html", _form_from_trajectory(trajectory), {},
                          trajectory=trajectory, rev=trajectory["rev"])
    form = _form_from_request()
    rev = request.form.get("rev", type=int)
    try:
        service.update_trajectory(g.user, trajectory_id, _data_from_form(form), expected_rev=rev)
    except ValidationError as exc:
        return _form_page("trajectories/form.html", form, exc.errors, 400,
                          trajectory=trajectory, rev=rev)
    except StaleRevision as exc:
        return _form_page("trajectories/form.html", form, {}, 409, trajectory=exc.current,
                          rev=exc.current["rev"], theirs=exc.current,
                          people=service.people_for(exc.current))
    flash(_("The trajectory has been saved."), "success")
    return redirect(url_for("trajectories.show", trajectory_id=trajectory_id))


@bp.route("/<trajectory_id>/phase", methods=["GET", "POST"])
@access.login_required
def phase(trajectory_id: str):
    """Move a trajectory to another phase; closing asks for confirmation."""
    trajectory = service.load_trajectory(g.user, trajectory_id, access.MANAGE)
    errors: dict = {}
    chosen = request.args.get("phase") or phases.next_phase(trajectory["phase"]) or ""
    status = 200
    if request.method == "POST":
        chosen = request.form.get("phase", "")
        try:
            lifecycle.change_phase(g.user, trajectory_id, chosen,
                                   expected_rev=request.form.get("rev", type=int),
                                   confirm_close=request.form.get("confirm_close") == "yes",
                                   override_reason=request.form.get("override_reason", ""))
        except ValidationError as exc:
            errors, status = exc.errors, 400
        except StaleRevision as exc:
            trajectory = exc.current
            errors, status = {"phase": [_("Someone else changed this trajectory meanwhile. "
                                          "Check its phase and choose again.")]}, 409
        else:
            if chosen == phases.CLOSED:
                flash(_("The trajectory has been closed."), "success")
            else:
                flash(_("The trajectory is now in the phase: %(phase)s.",
                        phase=phases.label(chosen)), "success")
            return redirect(url_for("trajectories.show", trajectory_id=trajectory_id))
    return render_template("trajectories/phase.html", trajectory=trajectory,
                           pupil=service.pupil_of(trajectory), phases=phases.PHASES,
                           chosen=chosen, errors=errors,
                           people=service.people_for(trajectory)), status


# -- reading -------------------------------------------------------------------

def _filters() -> dict:
    args = request.args
    return {
        "kind": args.get("kind", ""),
        "author": args.get("author", ""),
        "tag": args.get("tag", "").strip(),
        "goal": args.get("goal", ""),
        "view": "condensed" if args.get("view") == "condensed" else "full",
    }


def plugin_fragments(*slots: str, **context) -> dict[str, list]:
    """Return the active plugins' sanitised HTML for each page slot."""
    host = get_plugins()
    context.setdefault("user", g.user)
    return {slot: host.fragments(slot, context) for slot in slots}


def _entry_links() -> dict:
    """Which entry pages exist yet (the entries blueprint lands separately)."""
    views = current_app.view_functions
    return {"new": "entries.new" in views, "show": "entries.show" in views}


@bp.route("/<trajectory_id>")
@access.login_required
def show(trajectory_id: str):
    """The trajectory page: need and question, team, goals and the filterable timeline."""
    trajectory = service.view_trajectory(g.user, trajectory_id)
    filters = _filters()
    goals = goal_service.goals_for(trajectory_id)
    people = service.people_for(trajectory)
    voices = voice_service.voices_for(trajectory_id)
    all_visible = entry_access.visible_entries(g.user, trajectory)
    published_kinds = {e["kind"] for e in all_visible if e.get("status") == "published"}
    overdue = [goal for goal in goals if goal_service.is_overdue(goal)]
    kind_options = [(k, str(entry_forms.KIND_LABELS[k])) for k in entry_forms.KINDS]
    kind_options += [("evaluation", _("Goal evaluation")),
                     ("voice", _("What the pupil or parents say")), ("phase", _("Phase change"))]
    tags = sorted({t for e in all_visible for t in e.get("tags", ())})
    current_phase = phases.get(trajectory["phase"])
    visits = visit_service.visits_of(trajectory)
    now = today().isoformat()
    items = timeline(g.user, trajectory, goals, filters, voices)
    # The newest items first; older ones one click away (a long trajectory renders slowly).
    shown = len(items) if request.args.get("all") == "1" else min(len(items), TIMELINE_ITEMS)
    return render_template(
        "trajectories/show.html",
        visits_ahead=[v for v in visits if v["date"] >= now],
        visits_past=[v for v in visits if v["date"] < now],
        trajectory=trajectory,
        pupil=service.pupil_of(trajectory),
        people=people,
        goals=goals,
        overdue_ids={goal["id"] for goal in overdue},
        status_labels=goal_service.STATUS_LABELS,
        focus_labels=service.focus_area_labels(),
        target_labels=service.TARGET_LABELS,
        phase=current_phase,
        phases=phases.PHASES,
        checklist=phases.checklist(trajectory, goals, published_kinds, len(overdue)),
        items=items[:shown],
        older_count=len(items) - shown,
        filter_args={k: v for k, v in filters.items() if v and v != "full"},
        voices=voice_service.about_goal(voices, None),
        agreed=voice_service.agreements(voices),
        goals_by_id={goal["id"]: goal for goal in goals},
        filters=filters,
        filtered=any(filters[k] for k in ("kind", "author", "tag", "goal")),
        kind_options=kind_options,
        kind_labels=dict(kind_options),
        author_options=sorted(((uid, p["display_name"]) for uid, p in people.items()),
                              key=lambda pair: pair[1].lower()),
        tag_pairs=[(t, t) for t in tags],
        goal_pairs=[(goal["id"], shorten(plain_text(goal["html"].get("text", "")), 60))
                    for goal in goals],
        phase_position=phases.position(trajectory["phase"]),
        entry_links=_entry_links(),
        suggested_kinds=[k for k in (current_phase.suggested_kinds if current_phase else ())
                         if k in entry_forms.KINDS],
        fragments=plugin_fragments("trajectory_header", "trajectory_sidebar",
                                   trajectory=trajectory),
    )


@bp.route("/<trajectory_id>/print")
@access.login_required
def print_view(trajectory_id: str):
    """A clean page for a team meeting: the essentials on paper.

    By default goals and agreements (the "need to know"); ``?all=1`` adds every
    published entry.
    """
    trajectory = service.view_trajectory(g.user, trajectory_id, "print")
    everything = request.args.get("all") == "1"
    entries = [e for e in entry_access.visible_entries(g.user, trajectory)
               if e.get("status") == "published"]
    agreements = [e for e in entries if e["kind"] == "agreement"]
    from ..process.meetings import meetings_in

    goals = goal_service.goals_for(trajectory_id)
    return render_template(
        "trajectories/print.html",
        agreed=voice_service.agreements(voice_service.voices_for(trajectory_id)),
        trajectory=trajectory,
        pupil=service.pupil_of(trajectory),
        people=service.people_for(trajectory),
        goals=goals,
        overdue_ids={goal["id"] for goal in goals if goal_service.is_overdue(goal)},
        status_labels=goal_service.STATUS_LABELS,
        focus_labels=service.focus_area_labels(),
        target_labels=service.TARGET_LABELS,
        agreements=agreements,
        meetings=meetings_in(entries),
        entries=entries if everything else [],
        everything=everything,
        kind_labels={k: str(v) for k, v in entry_forms.KIND_LABELS.items()},
        printed_on=today().isoformat(),
        fragments=plugin_fragments("print_footer", trajectory=trajectory),
    )


@bp.route("/<trajectory_id>/history")
@access.login_required
def history(trajectory_id: str):
    """Earlier versions of a trajectory's settings: who changed what, when."""
    trajectory = service.view_trajectory(g.user, trajectory_id, "history")
    versions = [r["document"] for r in get_store().trajectories.history(trajectory_id)]
    versions.append(trajectory)
    fields = ("title", "target", "pupil_id", "educational_need", "learning_question",
              "focus_areas", "members", "phase", "start_date", "planned_end_date")
    rows = []
    previous = None
    for doc in versions:
        changed = [f for f in fields if previous is not None and doc.get(f) != previous.get(f)]
        rows.append({"doc": doc, "changed": changed, "first": previous is None})
        previous = doc
    return render_template("trajectories/history.html", trajectory=trajectory,
                           pupil=service.pupil_of(trajectory), rows=list(reversed(rows)),
                           people=service.users_by_id(
                               [d.get("updated_by") for d in versions]
                               + [m["user_id"] for d in versions for m in d.get("members", ())]),
                           focus_labels=service.focus_area_labels())
