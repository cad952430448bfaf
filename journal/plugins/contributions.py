"""What the active plugins contribute: vocabularies, page fragments, checks, events, exports.

Focus areas and reflection models plugins contribute are also stored
(:mod:`journal.plugins.vocabulary_snapshots`), so old records keep their words.

Every result reaching these methods already fits its hook's declared type
(see :mod:`journal.plugins.calls`); here they are merged. The built-in
``core`` plugin (:mod:`journal.plugins.vocabularies`) answers first, and a
core id always keeps its core meaning. Templates are collected by
:mod:`journal.plugins.entry_templates.registry`.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from journal.plugins import vocabulary_snapshots
from journal.plugins.hookspecs import ExportFormat
from journal.plugins.hookspecs import ExportOutput
from journal.plugins.hookspecs import FocusArea
from journal.plugins.hookspecs import ReflectionModel
from journal.plugins.hookspecs import TagVocabulary
from journal.plugins.shapes import ShapeError
from journal.plugins.shapes import conform
from journal.rendering import sanitize_html


class Contributions:
    """The contributions part of :class:`~journal.plugins.host.PluginHost`."""

    def focus_areas(self) -> list[FocusArea]:
        """Return the core focus areas, then those the active plugins add (first id wins)."""
        areas = self._first_per_id("journal_focus_areas")
        vocabulary_snapshots.remember(self.remembered, "focus_area", areas, self._builtins())
        return areas

    def focus_area_labels(self) -> dict[str, str]:
        """Return ``{id: label}`` of every focus area offered now or ever stored.

        Trajectories keep ids; an area of a plugin that was disabled or removed
        keeps its last label.
        """
        labels = {a["id"]: a["label"] for a in vocabulary_snapshots.stored("focus_area")}
        labels.update((a["id"], a["label"]) for a in self.focus_areas())
        return labels

    def reflection_models(self) -> list[ReflectionModel]:
        """Return Korthagen's cycle, then the active plugins' reflection models (first id wins)."""
        models = self._first_per_id("journal_reflection_models")
        vocabulary_snapshots.remember(self.remembered, "reflection_model", models,
                                      self._builtins())
        return models

    def reflection_model(self, model_id: str | None, *, stored: bool = False) -> ReflectionModel | None:
        """Return the offered reflection model ``model_id``, or None.

        :param stored: also look in the stored copies (to show old reflections
            whose plugin was disabled or removed).
        """
        found = next((m for m in self.reflection_models() if m["id"] == model_id), None)
        if found is None and stored and model_id:
            found = vocabulary_snapshots.stored_item("reflection_model", model_id)
        return found

    def tag_vocabularies(self) -> list[TagVocabulary]:
        """Return the core STICORDI vocabulary, then the active plugins' vocabularies."""
        return self._first_per_id("journal_tag_vocabularies")

    def _first_per_id(self, hook_name: str) -> list[dict]:
        items = [item for result in self.call(hook_name) for item in result]
        items.sort(key=lambda item: not self._is_builtin(item.get("plugin", "")))  # stable
        seen: set[str] = set()
        out = []
        for item in items:
            if item["id"] not in seen:
                seen.add(item["id"])
                out.append(item)
        return out

    def _is_builtin(self, name: str) -> bool:
        record = self.records.get(name)
        return record is not None and record.builtin

    def _builtins(self) -> set[str]:
        return {n for n, r in self.records.items() if r.builtin}

    def fragments(self, slot: str, context: dict | None = None) -> list[Markup]:
        """Return the active plugins' HTML for page ``slot``, sanitised, by (priority, plugin).

        A plugin that raises or returns something else shows a short inline
        notice (class ``plugin-error``) in its place; the page always renders.
        """
        with self.watching_failures() as failed:
            results = self.call("journal_page_fragment", slot=slot, context=context or {})
        shown = [(f["priority"], f.get("plugin", ""), sanitize_html(f["html"])) for f in results]
        shown += [(100, name, self._error_notice(name)) for name in dict.fromkeys(failed)]
        return [html for _priority, _name, html in sorted(shown, key=lambda t: t[:2])]

    def _error_notice(self, name: str) -> Markup:
        record = self.records.get(name)
        text = _("The plugin %(name)s could not show this part.",
                 name=(record.title if record else "") or name)
        return Markup('<div class="plugin-error" role="note">{}</div>').format(text)

    def validate_entry(self, entry: dict, template=None) -> list[str]:
        """Return every active plugin's problems with ``entry`` (empty when fine)."""
        found = self.call("journal_validate_entry", entry=entry, template=template)
        return [problem for problems in found for problem in problems]

    def entry_saved(self, entry: dict, trajectory: dict, created: bool) -> None:
        """Tell the active plugins that ``entry`` was saved; their failures never undo it."""
        self.call("journal_entry_saved", entry=entry, trajectory=trajectory, created=created)

    def export_formats(self) -> list[ExportFormat]:
        """Return the active plugins' export formats, ids prefixed ``<plugin>.``, by id.

        Run one with :meth:`run_export`, which isolates it.
        """
        formats = [dict(f, id=f"{f['plugin']}.{f['id']}", extension=f["extension"].lstrip("."))
                   for found in self.call("journal_export_formats") for f in found]
        return sorted(formats, key=lambda f: f["id"])

    def run_export(self, format_id: str, trajectory: dict, entries: list, goals: list):
        """Run an export format; return ``(format, str or bytes)``, or None if missing or failing.

        The caller has checked the user's access to ``trajectory`` and passes
        only what they may read.
        """
        fmt = next((f for f in self.export_formats() if f["id"] == format_id), None)
        if fmt is None:
            return None
        try:
            result = fmt["render"](trajectory, entries, goals)
        except Exception as exc:
            self.record_failure(fmt["plugin"], "journal_export_formats", exc)
            return None
        try:
            return fmt, conform(result, ExportOutput, where="render()")
        except ShapeError as exc:
            self.invalid(fmt["plugin"], "journal_export_formats", str(exc))
            return None
