"""HTTP hardening added to every response."""

from __future__ import annotations

from flask import g

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def init_app(app) -> None:
    """Add the security headers to every response; trust ``JOURNAL_PROXY_HOPS``
    reverse proxies for the client's address and scheme (audit log, throttling)."""
    hops = int(app.config.get("JOURNAL_PROXY_HOPS", 0) or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if g.get("user") is not None:
            # Pages of a signed-in user may hold pupil data: never cache them.
            response.headers["Cache-Control"] = "no-store"
        return response
