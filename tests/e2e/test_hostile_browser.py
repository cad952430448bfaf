"""Hostile strings from published corpora, stored through the API and shown on the
journal's pages in a real Chromium: no injected script runs, no handler survives.

Each page is watched for JavaScript dialogs (the payloads call alert/prompt/
confirm), for Content-Security-Policy violations (which would mean markup got
past the sanitiser and only the CSP stopped it) and for event-handler
attributes or ``javascript:`` links in the DOM.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "hostile_corpus", Path(__file__).resolve().parents[1] / "security" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

#: Payloads per stored entry (several per field keeps the number of page loads small).
PER_ENTRY = 12

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '')));
"""

DOM_CHECK = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(el.tagName + '[' + a.name + ']');
      if (['href', 'src', 'action', 'formaction', 'data'].includes(a.name)
          && /^\\s*(javascript|vbscript|data):/i.test(a.value)) bad.push(el.tagName + '[' + a.name + ']=' + a.value.slice(0, 40));
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META'].includes(el.tagName)
        && el.closest('main')) bad.push('<' + el.tagName + '> in main');
  }
  return bad;
}
"""


def _payloads() -> list[str]:
    chosen = (corpus.sample(corpus.xss_payloads(), 96) + corpus.sample(corpus.blns(), 36)
              + corpus.markdown_vectors())
    return list(dict.fromkeys(chosen))


@pytest.fixture
def api(page, login_as, live_server):
    """A Bearer token of the demo support specialist, made on the "My API keys" page."""
    login_as(page, "support")
    page.goto("account/tokens")
    page.locator("[name=name]").fill("hostile-corpus")
    page.locator("form:has([name=name]) [type=submit]").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("jrnl_")
    request = page.context.request

    def call(method: str, path: str, body: dict):
        response = request.fetch(live_server.url + "api/v1/" + path, method=method,
                                 headers={"Authorization": f"Bearer {secret}",
                                          "Content-Type": "application/json"},
                                 data=json.dumps(body))
        return response.status, (response.json() if response.status < 500 else None)

    return call


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(WATCH)
    return dialogs


def _inspect(page, url: str, dialogs: list[str]) -> list[str]:
    response = page.goto(url)
    assert response.status < 500, f"{url}: {response.status}"
    page.wait_for_timeout(150)  # let onload/onerror handlers fire if any survived
    problems = [f"{url}: dialog {d}" for d in dialogs]
    dialogs.clear()
    problems += [f"{url}: CSP violation {v}" for v in page.evaluate("window.__violations")]
    problems += [f"{url}: {b}" for b in page.evaluate(DOM_CHECK)]
    return problems


def test_hostile_corpora_never_run_script_in_the_browser(page, api, live_server):
    payloads = _payloads()
    title = "Hostile " + secrets.token_hex(3) + " " + payloads[0][:80]
    status, trajectory = api("POST", "trajectories", {
        "target": "pupil", "title": title, "pupil_id": "new", "start_date": "2025-01-06",
        "new_pupil": {"display_name": "Hostile pupil "
                                                         + secrets.token_hex(2), "class_group": "3B"},
        "educational_need": "\n\n".join(payloads[:PER_ENTRY]),
        "learning_question": "\n\n".join(payloads[PER_ENTRY:2 * PER_ENTRY])})
    assert status == 201, trajectory
    entry_ids = []
    for start in range(0, len(payloads), PER_ENTRY):
        chunk = payloads[start:start + PER_ENTRY]
        status, entry = api("POST", f"trajectories/{trajectory['id']}/entries", {
            "kind": "observation", "date": "2025-03-03", "publish": True,
            "tags": [p[:30] for p in chunk[:3]],
            "fields": {"seen": "\n\n".join(chunk), "quick_wins": chunk[-1],
                       "lesson": chunk[0][:100], "moment": chunk[1][:100] if len(chunk) > 1 else ""}})
        assert status in (201, 400), (status, chunk)
        if status == 201:
            entry_ids.append(entry["id"])
            api("POST", f"entries/{entry['id']}/comments", {"body": "\n".join(chunk[:4])})
    assert len(entry_ids) >= len(payloads) // PER_ENTRY - 1  # nearly all stored, not refused

    dialogs = _watch(page)
    base = f"t/{trajectory['id']}"
    urls = [base, f"{base}/print", f"{base}/history", "search?q=alert", "search?q=script", ""]
    urls += [f"{base}/entries/{eid}" for eid in entry_ids]
    problems = []
    for url in urls:
        problems += _inspect(page, url, dialogs)
    assert problems == []
