"""Templates from plugins: collecting, versions, snapshots and upgrades.

Callers pass the app's plugin host: ``latest(get_plugins(), kind="observation")``.

Every entry filled from a template stores a *ref* ``{id, version, plugin,
spec_hash}`` and the spec it was filled from is stored once, immutably, in the
``template_snapshots`` table (:func:`snapshot_for_entry`). :func:`spec_for_entry`
then gives the spec to render the entry with: the plugin's live spec when it
is active and still provides exactly that version, else the snapshot. So an
entry renders the same after its plugin changes, is disabled or is uninstalled.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from dataclasses import dataclass

from flask import g
from flask import has_request_context
from flask_babel import force_locale

from journal.plugins.entry_templates import school
from journal.plugins.entry_templates.files import TemplateFileError
from journal.plugins.entry_templates.files import load_file
from journal.plugins.entry_templates.files import template_files
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.entry_templates.specs import from_snapshot
from journal.plugins.entry_templates.specs import snapshot
from journal.plugins.entry_templates.specs import spec_hash
from journal.plugins.entry_templates.specs import validate_spec

log = logging.getLogger("journal.plugins")

#: The hook plugins offer their entry templates through (the host also calls its old
#: name, ``journal_templates``, for one release); problems are recorded under it.
HOOK = "journal_entry_templates"


class UpgradeNotAvailable(LookupError):
    """No plugin can upgrade this entry's answers to the requested version."""


@dataclass(frozen=True)
class EntryTemplate:
    """The spec an entry renders with, and where it came from.

    :ivar spec: the :class:`TemplateSpec` (None only if the snapshot is lost).
    :ivar live: True when the plugin's current spec is used.
    :ivar reason: why the snapshot is used: ``""`` (live), ``"disabled"``
        (plugin installed but not enabled), ``"removed"`` (plugin not
        installed), ``"unavailable"`` (plugin failed to load or is blocked),
        ``"updated"`` (the plugin no longer offers this version),
        ``"changed"`` (the plugin changed this version without bumping it) or
        ``"retired"`` (a school template no longer offered).
    :ivar ref: the entry's template ref.
    """

    spec: TemplateSpec | None
    live: bool
    reason: str
    ref: dict

    @property
    def label(self) -> str:
        """A short note for the UI, e.g. "from template X v2 (plugin disabled)"; "" when live."""
        from flask_babel import gettext as _

        if self.live:
            return ""
        title = self.spec.title if self.spec else self.ref.get("id", "")
        reasons = {
            "disabled": _("plugin disabled"),
            "removed": _("plugin removed"),
            "unavailable": _("plugin not available"),
            "updated": _("template updated since"),
            "changed": _("template changed since"),
            "lost": _("template snapshot missing"),
            "retired": _("template retired"),
        }
        return _("from template %(title)s v%(version)s (%(reason)s)", title=title,
                 version=self.ref.get("version"), reason=reasons.get(self.reason, self.reason))


def all_versions(host, include_inactive: bool = False) -> dict[tuple[str, int], TemplateSpec]:
    """Return every valid template version the (active) plugins offer, by ``(id, version)``.

    Within one request the answer is collected once: a timeline asks for it for
    every entry made from a template, and plugins do not change mid-request.
    """
    if not has_request_context():
        return _collect(host, include_inactive)
    key = (include_inactive, frozenset(host.active_names()))
    cache = g.setdefault("journal_template_versions", {})
    if key not in cache:
        cache[key] = _collect(host, include_inactive)
    return cache[key]


def _collect(host, include_inactive: bool) -> dict[tuple[str, int], TemplateSpec]:
    # Each spec arrives checked against the hook's type, with its plugin's name set.
    results = host.call_loaded(HOOK) if include_inactive else host.call(HOOK)
    found: dict[tuple[str, int], TemplateSpec] = {}
    with force_locale("en"):  # recorded for plugin authors, like the rest of a plugin's errors
        for returned in results:
            for spec in _specs_and_files(host, returned):
                problems = validate_spec(spec, spec.plugin)
                key = (spec.id, spec.version)
                if key in found:
                    problems.append(f"{spec.id} v{spec.version} is returned twice")
                if problems:
                    host.invalid(spec.plugin, HOOK, "; ".join(problems))
                    continue
                found[key] = spec
    from journal.storage import get_store

    found.update(((spec.id, spec.version), spec) for spec in school.offered(get_store()))
    return found


def _specs_and_files(host, returned: list) -> list[TemplateSpec]:
    """Return the specs a plugin returned, loading the TOML files among them one by one.

    A file that cannot be read or breaks the schema is recorded on its plugin with
    every problem and its place in the file; the plugin's other templates still load.
    """
    specs = []
    for item in returned:
        if isinstance(item, TemplateSpec):
            specs.append(item)
            continue
        for path in template_files(item.path):
            try:
                specs.append(dataclasses.replace(load_file(path, item.plugin), plugin=item.plugin))
            except TemplateFileError as exc:
                host.invalid(item.plugin, HOOK, str(exc))
            except OSError as exc:
                host.invalid(item.plugin, HOOK, f"{path}: cannot be read ({exc.strerror})")
    return specs


def latest(host, kind: str | None = None, include_inactive: bool = False) -> list[TemplateSpec]:
    """Return the highest version of each template id, sorted by (priority, plugin, id)."""
    best: dict[str, TemplateSpec] = {}
    for (template_id, version), spec in all_versions(host, include_inactive).items():
        if template_id not in best or version > best[template_id].version:
            best[template_id] = spec
    specs = [s for s in best.values() if kind is None or s.kind == kind]
    return sorted(specs, key=lambda s: (s.priority, s.plugin, s.id))


def find(host, template_id: str, version: int | None = None) -> TemplateSpec | None:
    """Return an active plugin's template ``template_id`` (latest, or exactly ``version``)."""
    versions = {v: s for (i, v), s in all_versions(host).items() if i == template_id}
    if not versions:
        return None
    if version is None:
        return versions[max(versions)]
    return versions.get(int(version))


def suggested(host, trajectory: dict) -> list[TemplateSpec]:
    """Return the templates to suggest for ``trajectory``.

    A template is suggested when it shares a focus area with the trajectory
    or when an active plugin's ``journal_suggest_templates`` names it.
    """
    focus = set(trajectory.get("focus_areas") or ())
    named = {i for ids in host.call("journal_suggest_templates", trajectory=trajectory)
             for i in ids}
    return [s for s in latest(host) if s.id in named or focus & set(s.focus_areas)]


def snapshot_id(spec: TemplateSpec, digest: str | None = None) -> str:
    """Return the ``template_snapshots`` id for ``spec`` (with a hash suffix for a changed spec)."""
    base = f"{spec.id}@{spec.version}"
    return base if digest is None else f"{base}~{digest.split(':')[-1][:16]}"


def snapshot_for_entry(host, spec: TemplateSpec) -> dict:
    """Store the immutable snapshot of ``spec`` once; return the ref the entry stores.

    If a plugin changed a spec without bumping its version, the new content is
    stored under an id with a hash suffix (the first snapshot is never
    overwritten) and the contract violation is recorded on the plugin.
    """
    from journal.storage import get_store

    store = get_store()
    digest = spec_hash(spec)
    ref = {"id": spec.id, "version": spec.version, "plugin": spec.plugin, "spec_hash": digest}
    with store.transaction():
        first = store.template_snapshots.get(snapshot_id(spec))
        if first is None:
            _store_snapshot(store, snapshot_id(spec), spec, digest)
            return ref
        if first["spec_hash"] == digest:
            return ref
        changed_id = snapshot_id(spec, digest)
        if store.template_snapshots.get(changed_id) is None:
            _store_snapshot(store, changed_id, spec, digest)
    host.invalid(spec.plugin, HOOK,
                 f"{spec.id} v{spec.version} changed without a version bump")
    return ref


def _store_snapshot(store, snap_id: str, spec: TemplateSpec, digest: str) -> None:
    store.template_snapshots.create({
        "id": snap_id, "template_id": spec.id, "version": spec.version,
        "plugin": spec.plugin, "spec_hash": digest, "snapshot": snapshot(spec),
    })


def stored_spec(ref: dict) -> TemplateSpec | None:
    """Return the snapshot spec for an entry's template ref, or None if it is missing."""
    from journal.storage import get_store

    snaps = get_store().template_snapshots
    base = f"{ref['id']}@{ref['version']}"
    for snap_id in (base, f"{base}~{str(ref.get('spec_hash', '')).split(':')[-1][:16]}"):
        doc = snaps.get(snap_id)
        if doc is not None and doc["spec_hash"] == ref.get("spec_hash"):
            return from_snapshot(doc["snapshot"])
    doc = snaps.get(base)  # a ref without a matching hash still gets its version's snapshot
    return from_snapshot(doc["snapshot"]) if doc else None


def spec_for_entry(host, entry: dict) -> EntryTemplate | None:
    """Return the spec to render ``entry``'s answers with, or None for a free entry."""
    ref = entry.get("template")
    if not ref:
        return None
    active = ref.get("plugin") in host.active_names() or ref.get("plugin") == school.SCHOOL
    live = find(host, ref["id"], ref["version"]) if active else None
    if live is not None and spec_hash(live) == ref.get("spec_hash"):
        return EntryTemplate(live, True, "", ref)
    spec = stored_spec(ref)
    if spec is None and live is not None:
        return EntryTemplate(live, True, "", ref)
    reason = _why_not_live(host, ref, live)
    return EntryTemplate(spec, False, reason if spec is not None else "lost", ref)


def _why_not_live(host, ref: dict, live: TemplateSpec | None) -> str:
    if ref.get("plugin") == school.SCHOOL:
        from journal.storage import get_store

        return "retired" if school.is_retired(get_store(), ref["id"]) else "updated"
    record = host.records.get(ref.get("plugin", ""))
    if record is None:
        return "removed"
    if record.status != "loaded":
        return "unavailable"
    if ref["plugin"] not in host.active_names():
        return "disabled"
    return "changed" if live is not None else "updated"


def upgrade_offer(host, entry: dict) -> dict | None:
    """Return ``{"template", "from_version", "to_version"}`` when ``entry`` can be upgraded.

    Offered only when the active plugin offers a newer version *and* its
    ``journal_upgrade_entry_data`` converts this entry's answers.
    """
    ref = entry.get("template")
    if not ref or ref.get("plugin") not in host.active_names():
        return None
    newest = find(host, ref["id"])
    if newest is None or newest.version <= ref["version"]:
        return None
    if _convert(host, ref, newest.version, entry.get("answers") or {}) is None:
        return None
    return {"template": newest, "from_version": ref["version"], "to_version": newest.version}


def upgrade_entry_data(host, entry: dict, to_version: int) -> dict:
    """Convert ``entry``'s answers to ``to_version`` of its template.

    Nothing is saved: the caller stores the returned ``answers`` and
    ``template`` ref (a snapshot of the new version is stored here).

    :raise UpgradeNotAvailable: the plugin is inactive, the version does not
        exist or the plugin does not upgrade this entry.
    """
    from journal.plugins.entry_templates.forms import check_answers

    ref = entry.get("template")
    target = find(host, ref["id"], to_version) if ref else None
    if target is None or ref.get("plugin") not in host.active_names() or to_version <= ref["version"]:
        raise UpgradeNotAvailable(f"no version {to_version} to upgrade to")
    answers = _convert(host, ref, to_version, entry.get("answers") or {})
    if answers is None:
        raise UpgradeNotAvailable(f"{ref['plugin']} does not upgrade {ref['id']}")
    problems = check_answers(target, answers)
    if problems:
        host.invalid(ref["plugin"], "journal_upgrade_entry_data", "; ".join(problems))
        raise UpgradeNotAvailable("the upgraded answers do not fit the new version")
    return {"answers": answers, "template": snapshot_for_entry(host, target)}


def _convert(host, ref: dict, to_version: int, answers: dict) -> dict | None:
    # Only the plugin that owns the template converts its data; it gets a copy.
    return host.call_plugin(ref["plugin"], "journal_upgrade_entry_data",
                            template_id=ref["id"], from_version=ref["version"],
                            to_version=to_version, data=copy.deepcopy(answers))
