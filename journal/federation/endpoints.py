"""The calls linked journals make to each other, under ``/federation/v1/``.

Every one is signed (:func:`journal.federation.signing.signed`) except
``pair``, where a school presents a one-time code to a centre. Which ones exist
depends on the kind of journal:

=====================================  =======  ===============================================
call                                   where    what
=====================================  =======  ===============================================
``POST hello``                         both     is the link alive (the admin pages' check)
``POST revoke``                        both     the other side ended the link
``POST caseload``                      school   what needs this ondersteuner now
``POST calendar``                      school   her calendar items here (the centre's feed)
``GET patterns?school_year=``          school   aggregated figures, small cells suppressed
``POST pair``                          centre   a school pairs with a code (not signed)
``POST shares``                        centre   what the school shares now
``GET library``                        centre   the examples schools share
``POST library``                       centre   a school publishes an example
``GET library/<example_id>``           centre   one example's file
``POST library/<example_id>/withdraw`` centre   its school takes it back
=====================================  =======  ===============================================
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request

from ..security import access
from . import calendar
from . import caseload
from . import library
from . import links
from . import pairing
from . import shared_patterns
from .signing import signed

common = Blueprint("federation", __name__, url_prefix="/federation/v1")
school = Blueprint("federation_school", __name__, url_prefix="/federation/v1")
centre = Blueprint("federation_centre", __name__, url_prefix="/federation/v1")


@common.route("/hello", methods=["POST"])
@signed
def hello(link: dict, payload: dict) -> dict:
    """Answer that the link works, with this journal's name and kind."""
    return {"name": current_app.config["JOURNAL_SCHOOL_NAME"],
            "kind": current_app.config["JOURNAL_INSTANCE_KIND"]}


@common.route("/revoke", methods=["POST"])
@signed
def revoke(link: dict, payload: dict) -> dict:
    """The other side ended the link: end it here too."""
    links.revoked_by_peer(link)
    return {"revoked": True}


@school.route("/caseload", methods=["POST"])
@signed
def school_caseload(link: dict, payload: dict) -> dict:
    """What needs the named ondersteuner now, with her rights in this school."""
    return caseload.answer(link, payload)


@school.route("/calendar", methods=["POST"])
@signed
def school_calendar(link: dict, payload: dict) -> dict:
    """The named ondersteuner's calendar items here, with her rights and privacy choice."""
    return calendar.answer(link, payload)


@school.route("/patterns", methods=["GET"])
@signed
def school_patterns(link: dict, payload: dict) -> dict:
    """This school's aggregated figures for a school year, small cells suppressed."""
    return shared_patterns.answer(link, request.args.get("school_year", ""))


@centre.route("/pair", methods=["POST"])
@access.public  # a school presents a one-time code; throttled (journal.federation.pairing)
def pair():
    """Pair a school that presents a valid one-time code."""
    payload = request.get_json(silent=True)
    try:
        answer = pairing.redeem(payload if isinstance(payload, dict) else {},
                                address=request.remote_addr or "")
    except pairing.PairingRefused as refusal:
        status = {"throttled": 429, "bad_request": 400}.get(refusal.reason, 403)
        headers = {"Retry-After": str(refusal.wait)} if refusal.wait else {}
        return jsonify({"error": refusal.reason}), status, headers
    return jsonify(answer)


@centre.route("/shares", methods=["POST"])
@signed
def centre_shares(link: dict, payload: dict) -> dict:
    """Keep what the school now shares."""
    links.record_shares(link, payload.get("shares"))
    return {"recorded": True}


@centre.route("/library", methods=["GET"])
@signed
def centre_library(link: dict, payload: dict) -> dict:
    """The examples of every school that shares the library."""
    return library.listing(link)


@centre.route("/library", methods=["POST"])
@signed
def centre_publish(link: dict, payload: dict) -> dict:
    """Keep an example the school publishes."""
    return library.publish(link, payload)


@centre.route("/library/<example_id>", methods=["GET"])
@signed
def centre_example(link: dict, payload: dict, example_id: str) -> dict:
    """One example's file."""
    return library.fetch(link, example_id)


@centre.route("/library/<example_id>/withdraw", methods=["POST"])
@signed
def centre_withdraw(link: dict, payload: dict, example_id: str) -> dict:
    """The publishing school takes its example back."""
    return library.withdraw(link, example_id)


def blueprints(app) -> list[Blueprint]:
    """The calls this kind of journal answers (register them without CSRF protection:
    they carry no cookies, and every one but pairing is signed)."""
    from ..config import is_centre

    return [common, centre if is_centre(app) else school]
