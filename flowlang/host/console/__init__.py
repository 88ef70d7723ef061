"""The web console of `flowlang serve`: server-rendered pages (Jinja2, autoescaped) over the host's own API.

Modules: `session` (sealed cookie, CSRF), `client` (the API called in-process with the session's token),
`guard` (what every signed-in page shares), `render` (templates, security headers), `sources` (numbered
source, diagnostics, flowchart), and one module per group of pages (`auth`, `flows`, `flow`). Static files
(CSS, JS) are served from `static/`; the Content-Security-Policy forbids inline scripts and styles.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flowlang.host.console import auth, flow, flows
from flowlang.host.console.render import STATIC

routes: list[BaseRoute] = [
    Route("/", auth.index, methods=["GET"]),
    Route("/login", auth.login_form, methods=["GET"]),
    Route("/login", auth.login, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"]),
    Route("/flows", flows.list_flows, methods=["GET"]),
    Route("/flows/new", flows.new_form, methods=["GET"]),
    Route("/flows/new", flows.create, methods=["POST"]),
    Route("/flows/{flow_id}", flow.show, methods=["GET"]),
    Route("/flows/{flow_id}/enabled", flows.toggle, methods=["POST"]),
    Route("/flows/{flow_id}/edit", flow.edit, methods=["GET"]),
    Route("/flows/{flow_id}/edit", flow.save, methods=["POST"]),
    Route("/flows/{flow_id}/delete", flow.delete, methods=["POST"]),
    Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
]
