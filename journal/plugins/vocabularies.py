"""Core vocabularies merged with what plugins add; fragments, validation and exports.

Callers use the methods of :class:`journal.plugins.host.PluginHost`
(``get_plugins().focus_areas()`` …), which delegate here. Every plugin result
is checked; an invalid one is recorded on the plugin and left out, so a
broken plugin never breaks a page.
"""

from __future__ import annotations

import re

from markupsafe import Markup

#: The core focus areas (aandachtsgebieden): a trajectory's ``focus_areas`` holds these ids.
CORE_FOCUS_AREAS = (
    {"id": "ass", "label": "ASS (autisme)"},
    {"id": "tos", "label": "TOS (taalontwikkelingsstoornis)"},
    {"id": "executieve_functies", "label": "Executieve functies"},
    {"id": "gedrag", "label": "Gedrag"},
    {"id": "type2", "label": "Type 2 (verstandelijke beperking)"},
    {"id": "leerstoornissen", "label": "Leerstoornissen (dyslexie, dyscalculie)"},
    {"id": "motoriek", "label": "Motorische beperking (type 4)"},
    {"id": "zintuiglijk", "label": "Visuele of auditieve beperking (type 6, type 7)"},
)

#: Korthagen's reflection cycle (ALACT), the core reflection model. Phase 5
#: (Uitproberen) is phase 1 of the next cycle.
KORTHAGEN = {
    "id": "korthagen",
    "title": "Reflectiecirkel van Korthagen (ALACT)",
    "plugin": "",
    "phases": [
        {"key": "handelen", "title": "1. Handelen",
         "prompt": "Wat wilde ik bereiken? Wat wilde ik uitproberen? Waarop wilde ik letten?"},
        {"key": "terugblikken", "title": "2. Terugblikken",
         "prompt": "Wat gebeurde er concreet? Wat wilde, dacht, voelde en deed ik? "
                   "Wat wilden, dachten, voelden en deden de leerlingen (of de ondersteuner)?"},
        {"key": "bewustwording", "title": "3. Bewustwording van essentiële aspecten",
         "prompt": "Hoe hangen de antwoorden samen? Welke invloed had de context? "
                   "Wat is dus het probleem, of de positieve ontdekking?"},
        {"key": "alternatieven", "title": "4. Alternatieven",
         "prompt": "Welke alternatieven zie ik, met welke voor- en nadelen? Wat neem ik me voor?"},
        {"key": "uitproberen", "title": "5. Uitproberen",
         "prompt": "Wat probeer ik de volgende keer uit? (Dit is fase 1 van de volgende cyclus.)"},
    ],
}

#: The core tag vocabulary: STICORDI/REDICODIS categories of measures.
CORE_TAG_VOCABULARIES = (
    {"id": "sticordi", "label": "STICORDI", "plugin": "",
     "tags": ["stimuleren", "compenseren", "remediëren", "differentiëren", "dispenseren"]},
)

#: Named places in the pages where plugins can add HTML (``journal_page_fragment``).
SLOTS = (
    "home_panel",          # the start page, below the user's trajectories
    "trajectory_header",   # the top of a trajectory page
    "trajectory_sidebar",  # beside a trajectory's timeline
    "entry_footer",        # below one entry on the timeline
    "entry_form",          # below the fields of the entry form
    "print_footer",        # the end of a trajectory's print view
)

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


def _strings(item: dict, *keys: str) -> bool:
    return isinstance(item, dict) and all(isinstance(item.get(k), str) and item[k] for k in keys)


def _lists(host, hook: str, check) -> list[tuple[str, dict]]:
    """Call ``hook`` on active plugins; keep the list items ``check`` accepts."""
    out = []
    for name, items in host.call_all(hook):
        if not isinstance(items, (list, tuple)):
            host.invalid(name, hook, "not a list")
            continue
        for item in items:
            problem = check(item)
            if problem:
                host.invalid(name, hook, problem)
            else:
                out.append((name, item))
    return out


def _check_focus_area(item) -> str:
    if not _strings(item, "id", "label") or not _ID.match(item["id"]):
        return "a focus area needs an 'id' (lower-case identifier) and a 'label'"
    return ""


def focus_areas(host) -> list[dict]:
    """Return the core focus areas, then those the active plugins add (first id wins)."""
    out = [dict(a, plugin="") for a in CORE_FOCUS_AREAS]
    seen = {a["id"] for a in out}
    for name, item in _lists(host, "journal_focus_areas", _check_focus_area):
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append({"id": item["id"], "label": item["label"], "plugin": name})
    return out


def _check_model(item) -> str:
    if not _strings(item, "id", "title") or not _ID.match(item["id"]):
        return "a reflection model needs an 'id' and a 'title'"
    phases = item.get("phases")
    if not isinstance(phases, (list, tuple)) or not phases:
        return f"reflection model {item['id']!r} has no phases"
    keys = [p.get("key") if isinstance(p, dict) else None for p in phases]
    if not all(_strings(p, "key", "title") for p in phases) or len(set(keys)) != len(keys):
        return f"reflection model {item['id']!r}: each phase needs a unique 'key' and a 'title'"
    return ""


def reflection_models(host) -> list[dict]:
    """Return Korthagen's cycle, then the active plugins' reflection models (first id wins)."""
    out = [dict(KORTHAGEN)]
    seen = {"korthagen"}
    for name, item in _lists(host, "journal_reflection_models", _check_model):
        if item["id"] in seen:
            continue
        seen.add(item["id"])
        phases = [{"key": p["key"], "title": p["title"], "prompt": str(p.get("prompt", ""))}
                  for p in item["phases"]]
        out.append({"id": item["id"], "title": item["title"], "phases": phases, "plugin": name})
    return out


def _check_vocabulary(item) -> str:
    if not _strings(item, "id", "label") or not _ID.match(item["id"]):
        return "a tag vocabulary needs an 'id' and a 'label'"
    tags = item.get("tags")
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) and t for t in tags):
        return f"tag vocabulary {item['id']!r}: 'tags' must be a list of strings"
    return ""


def tag_vocabularies(host) -> list[dict]:
    """Return the core STICORDI vocabulary and the active plugins' vocabularies."""
    out = [dict(v) for v in CORE_TAG_VOCABULARIES]
    seen = {v["id"] for v in out}
    for name, item in _lists(host, "journal_tag_vocabularies", _check_vocabulary):
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append({"id": item["id"], "label": item["label"], "tags": list(item["tags"]),
                        "plugin": name})
    return out


def fragments(host, slot: str, context: dict) -> list[Markup]:
    """Return each active plugin's HTML for ``slot``, sanitised, by (priority, plugin).

    A plugin may return a str or ``{"html": str, "priority": int}``. One that
    raises or returns something else shows a short inline notice (class
    ``plugin-error``) in its place; the page itself always renders.
    """
    from journal.rendering import sanitize_html

    active = host.active_names()
    out = []
    for impl in host._impls("journal_page_fragment"):
        name = impl.plugin_name
        if name not in active:
            continue
        failures = host.records[name].failures
        result = host._call_impl(name, "journal_page_fragment",
                                 {"slot": slot, "context": context}, impl=impl)
        priority = 100
        if isinstance(result, dict) and isinstance(result.get("html"), str):
            priority = result.get("priority", 100) if isinstance(result.get("priority"), int) else 100
            result = result["html"]
        if result is None and host.records[name].failures == failures:
            continue
        if isinstance(result, str):
            out.append((priority, name, sanitize_html(result)))
            continue
        if result is not None:
            host.invalid(name, "journal_page_fragment", "not a str")
        out.append((priority, name, _error_notice(host, name)))
    return [html for _, _, html in sorted(out, key=lambda t: (t[0], t[1]))]


def _error_notice(host, name: str) -> Markup:
    from flask_babel import gettext as _

    title = host.records[name].title or name
    text = _("The plugin %(name)s could not show this part.", name=title)
    return Markup('<div class="plugin-error" role="note">{}</div>').format(text)


def validate_entry(host, entry: dict, template) -> list[str]:
    """Return every active plugin's problems with ``entry`` (strings; empty when fine)."""
    problems = []
    for name, found in host.call_all("journal_validate_entry", entry=entry, template=template):
        if not isinstance(found, (list, tuple)) or not all(isinstance(p, str) for p in found):
            host.invalid(name, "journal_validate_entry", "not a list of strings")
            continue
        problems.extend(found)
    return problems


def _check_format(item) -> str:
    if not _strings(item, "id", "label", "mimetype", "extension") or not _ID.match(item["id"]):
        return "an export format needs 'id', 'label', 'mimetype' and 'extension'"
    if not callable(item.get("render")):
        return f"export format {item['id']!r}: 'render' must be callable"
    return ""


def export_formats(host) -> list[dict]:
    """Return the active plugins' export formats, ids prefixed ``<plugin>.``.

    Each is ``{"id", "label", "mimetype", "extension", "plugin", "render"}``;
    run one with :func:`run_export`, which isolates it.
    """
    out = []
    for name, item in _lists(host, "journal_export_formats", _check_format):
        out.append({"id": f"{name}.{item['id']}", "label": item["label"],
                    "mimetype": item["mimetype"], "extension": item["extension"].lstrip("."),
                    "plugin": name, "render": item["render"]})
    return sorted(out, key=lambda f: f["id"])


def run_export(host, format_id: str, trajectory: dict, entries: list, goals: list):
    """Run an export format; return ``(format, str or bytes)``, or None if missing or failing.

    The caller has checked the user's access to ``trajectory`` and passes only
    what they may read.
    """
    found = [f for f in export_formats(host) if f["id"] == format_id]
    if not found:
        return None
    fmt = found[0]
    try:
        result = fmt["render"](trajectory, entries, goals)
    except Exception as exc:
        host.record_failure(fmt["plugin"], "journal_export_formats", exc)
        return None
    if not isinstance(result, (str, bytes)):
        host.invalid(fmt["plugin"], "journal_export_formats", "render() returned no str or bytes")
        return None
    return fmt, result
