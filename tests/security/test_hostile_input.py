"""Published hostile strings through every text field of the web forms and of the
API: never a server error, and no page ever carries injected markup.

The web part crawls the pages a user reaches, finds every POST form and submits
it with each text field set to a hostile string (hidden fields and choices keep
their values). The API part reads the OpenAPI document and sends every string
property of every request body. Both follow the app as routes are added.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest

from journal.storage import get_store

from .corpus import all_hostile
from .corpus import elements
from .corpus import sample

#: Pages never crawled (they end the session or download files).
SKIP = ("/logout", "/static/", "/audit/export", "/privacy/dpia.", "/api/")
#: Hostile strings tried per form and per API operation.
PER_FORM = 6
PER_OPERATION = 12
MAX_PAGES = 60


class _Forms(HTMLParser):
    """Collects links and POST forms with their fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fixed": [], "text": []}
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or kind in ("submit", "button", "file"):
                return
            if kind in ("hidden",):
                self._form["fixed"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a or kind == "radio":
                    self._form["fixed"].append((name, a.get("value", "on")))
            else:
                self._form["text"].append(name)
        elif tag == "textarea" and a.get("name"):
            self._form["text"].append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            self._form["fixed"].append((self._select, a.get("value", "")))
            self._select = None

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def _parse(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def assert_no_injected_markup(html: str, where: str) -> None:
    """The journal's templates have no inline script and no handlers: any found was injected."""
    for tag, attrs in elements(html):
        assert not (tag == "script" and "src" not in attrs), f"{where}: inline <script>"
        assert tag not in ("iframe", "object", "embed", "base", "meta") or tag == "meta" and \
            set(attrs) <= {"charset", "name", "content"}, f"{where}: <{tag}>"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}>"
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith(("javascript:", "vbscript:", "data:")), \
                    f"{where}: <{tag} {name}={value[:40]!r}>"


@pytest.fixture
def world(app, users, make_trajectory, make_goal, make_entry, make_comment):
    trajectory = make_trajectory(users["teacher"], users["support"], title="Lezen")
    goal = make_goal(trajectory)
    entry = make_entry(trajectory, users["support"])
    make_comment(entry, users["teacher"])
    from journal.process import visits

    visit = visits.plan_visit(users["teacher"], trajectory["id"], {
        "date": "2099-03-02", "visitor_ids": [users["support"]["id"]]})
    return {"trajectory": trajectory, "goal": goal, "entry": entry, "visit": visit}


def _crawl(client, start: str = "/") -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or any(url.startswith(s) for s in SKIP):
            continue
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if response.status_code != 200 or not response.mimetype == "text/html":
            seen[url] = ""
            continue
        seen[url] = body
        for link in _parse(body).links:
            parts = urlsplit(urljoin(url, link))
            if not parts.netloc and parts.path.startswith("/"):
                queue.append(parts.path)
    return seen


@pytest.mark.parametrize("who", ["support", "coordinator", "admin"])
def test_every_web_form_survives_hostile_text(app, users, login, world, who):
    client = login(app.test_client(), who)
    pages = _crawl(client)
    hostile = sample(all_hostile(), 300)
    forms = []
    for url, body in pages.items():
        for form in _parse(body).forms:
            if form["method"] == "post" and form["text"]:
                action = urljoin(url, form["action"] or url)
                if not any(action.startswith(s) for s in SKIP):
                    forms.append((action, form))
    assert len(forms) >= 3, "the crawl found too few forms to mean anything"
    tried = 0
    for index, (action, form) in enumerate(forms):
        for k in range(PER_FORM):
            text = hostile[(index * PER_FORM + k) % len(hostile)]
            data = {}
            for name, value in form["fixed"]:
                data.setdefault(name, value)
            for name in form["text"]:
                data[name] = text
            response = client.post(action, data=data, headers={"Accept-Language": "en"})
            body = response.get_data(as_text=True)
            response.close()
            assert response.status_code < 500, f"POST {action} with {text!r}: {response.status_code}"
            assert_no_injected_markup(body, f"POST {action}")
            tried += 1
    # Whatever was stored shows inert on every page afterwards.
    for url in pages:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            assert_no_injected_markup(response.get_data(as_text=True), f"GET {url} afterwards")
        response.close()
    assert tried >= 3 * PER_FORM


def _resolve(doc: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is(schema: dict, kind: str) -> bool:
    declared = schema.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


#: Values that let a request reach its text fields (enums and dates must be valid for that).
VALID = {"kind": "observation", "date": "2025-03-03", "target": "pupil", "status": "ongoing",
         "phase": "goals", "review_date": "2099-06-30", "start_date": "2025-01-06",
         "planned_end_date": None, "from_date": "2025-03-03", "return_to_class": "2025-03-03"}
#: Values for one kind of resource, over VALID (a visit is planned for a day still to come).
VALID_PER_PATH = {"visits": {"date": "2099-03-02", "start_time": None, "end_time": None}}
#: The entry in the fixture is an observation: its kind-specific fields.
FIELD_KEYS = ("seen", "quick_wins", "lesson", "moment", "class_group")
#: Properties that only apply to other kinds, or name things by id.
LEAVE_OUT = {"model", "contributions", "members", "rev", "focus_areas"}


def _text(prop: dict, text: str) -> str:
    return text[:prop.get("maxLength", len(text))]


def _body(doc: dict, schema: dict, text: str) -> dict:
    body = {}
    for name, prop in _resolve(doc, schema).get("properties", {}).items():
        prop = _resolve(doc, prop)
        if name in VALID:
            body[name] = VALID[name]
        elif name in LEAVE_OUT or name.endswith("_id") or name.endswith("_ids"):
            continue
        elif _is(prop, "string"):
            body[name] = _text(prop, text)
        elif _is(prop, "array") and _is(_resolve(doc, prop.get("items", {})), "string"):
            body[name] = [_text(_resolve(doc, prop["items"]), text)]
        elif _is(prop, "object") and name == "fields":
            body[name] = {key: text[:80] if key != "seen" and key != "quick_wins" else text
                          for key in FIELD_KEYS}
        elif _is(prop, "object") and name == "new_pupil":
            body[name] = {"display_name": text[:80] or "x", "class_group": text[:40]}
    return body


def test_every_api_text_field_survives_hostile_text(app, users, world):
    from journal.security.sessions import create_token

    _, secret = create_token(users["support"], "fuzz")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    doc = client.get("/api/v1/openapi.json").get_json()
    ids = {"trajectory_id": world["trajectory"]["id"], "entry_id": world["entry"]["id"],
           "goal_id": world["goal"]["id"], "pupil_id": world["trajectory"]["pupil_id"],
           "visit_id": world["visit"]["id"]}
    hostile = sample(all_hostile(), 200)
    operations = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if method not in ("post", "patch", "put") or not schema:
                continue
            operations += 1
            url = "/api/v1" + path.format(**ids)
            for k in range(PER_OPERATION):
                text = hostile[(operations * PER_OPERATION + k) % len(hostile)]
                body = _body(doc, schema, text)
                for marker, values in VALID_PER_PATH.items():
                    if marker in path:
                        body.update({k: v for k, v in values.items() if k in body})
                if "visitor_ids" in _resolve(doc, schema).get("properties", {}):
                    body["visitor_ids"] = [users["support"]["id"]]
                if method == "patch":
                    body["rev"] = _current_rev(path, ids)
                response = client.open(url, method=method.upper(), json=body, headers=headers)
                assert response.status_code < 500, f"{method} {path} {text!r}: {response.status_code}"
                assert response.is_json, f"{method} {path}: not JSON"
    assert operations >= 5
    # The bodies were valid enough to be stored, so the text fields were really exercised.
    assert len(get_store().entries.all()) > 1 + PER_OPERATION // 2
    assert len(get_store().visits.all()) > 1 + PER_OPERATION // 2
    # What the API stored renders inert on the pages.
    from journal.plugins.testing import TEST_PASSWORD

    browser = app.test_client()
    browser.post("/login", data={"username": "support", "password": TEST_PASSWORD})
    for entry in get_store().entries.all():
        page = browser.get(f"/t/{entry['trajectory_id']}/entries/{entry['id']}")
        assert page.status_code < 500
        assert_no_injected_markup(page.get_data(as_text=True), f"entry {entry['id']}")
    # Visits with hostile purposes, on the trajectory page and the start page.
    for url in (f"/t/{world['trajectory']['id']}", "/"):
        page = browser.get(url)
        assert page.status_code == 200
        assert_no_injected_markup(page.get_data(as_text=True), f"visits on {url}")


def _current_rev(path: str, ids: dict) -> int:
    store = get_store()
    for marker, collection in (("{entry_id}", store.entries), ("{goal_id}", store.goals),
                               ("{visit_id}", store.visits),
                               ("{pupil_id}", store.pupils), ("{trajectory_id}", store.trajectories)):
        if marker in path:
            key = marker.strip("{}")
            return collection.get(ids[key])["rev"]
    return 1


def test_hostile_file_names_and_captions_on_attachments(app, users, login, make_trajectory):
    """Published hostile strings as the name and caption of an uploaded picture: the
    pages show them as text, the download header stays one safe header."""
    import io

    from PIL import Image

    team = make_trajectory(users["teacher"], users["support"], phase="implementation")
    client = login(app.test_client(), "teacher")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    for text in sample(all_hostile(), 40):
        response = client.post(f"/t/{team['id']}/files", content_type="multipart/form-data",
                               data={"owner_type": "handover", "owner_id": team["id"],
                                     "caption": text,
                                     "attachments": (io.BytesIO(out.getvalue()), text + ".png")})
        assert response.status_code in (302, 400), text
    page = client.get(f"/t/{team['id']}/handover").get_data(as_text=True)
    assert_no_injected_markup(page, "handover files")
    for doc in get_store().attachments.all():
        served = client.get(f"/t/{team['id']}/files/{doc['id']}?download=1")
        header = served.headers["Content-Disposition"]
        assert "\r" not in header and "\n" not in header and header.count('"') == 2, header
        assert header.startswith("attachment; filename=\"") and "/" not in header.split("''")[0]


def test_hostile_captions_on_practice_example_pictures(app, users, login, make_trajectory,
                                                       make_entry):
    """Hostile captions of a picture picked for a practice example, and in an imported
    example file: the form, the review and the example's page show them as text."""
    import base64
    import io
    import json

    from PIL import Image

    from journal.process import attachments

    team = make_trajectory(users["teacher"], users["support"], phase="implementation")
    entry = make_entry(team, users["teacher"], "agreement")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    texts = sample(all_hostile(), 3)[:3]
    picked = [attachments.add(users["teacher"], team["id"], "entry", entry["id"],
                              [(f"{n}.png", out.getvalue(), text)])[0]["id"]
              for n, text in enumerate(texts)]
    client = login(app.test_client(), "coordinator")
    form = client.get(f"/practice/new?entry_id={entry['id']}").get_data(as_text=True)
    assert_no_injected_markup(form, "practice example form")
    review = client.post("/practice/new", data={
        "entry_id": entry["id"], "title": "x", "learned": "x", "text": "x",
        "pictures": picked, "action": "review"})
    assert review.status_code == 200
    assert_no_injected_markup(review.get_data(as_text=True), "practice example review")
    picture = base64.b64encode(out.getvalue()).decode()
    for text in sample(all_hostile(), 10):
        data = json.dumps({"format": "journal.practice_example", "format_version": 1,
                           "example": {"title": "x", "learned": "x", "kind": "adaptation",
                                       "adaptation": {"text": "x"},
                                       "pictures": [{"caption": text,
                                                     "content_base64": picture}]}}).encode()
        response = client.post("/practice/import", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), "x.json")})
        assert response.status_code in (302, 400), text
    for example in get_store().practice_examples.all():
        page = client.get(f"/practice/{example['id']}").get_data(as_text=True)
        assert_no_injected_markup(page, "practice example with pictures")
