"""The web console of `flowlang serve`: server-rendered pages (Jinja2, autoescaped) over the host's own API.

Modules: `session` (sealed cookie, CSRF), `client` (the API called in-process with the session's token),
`guard` (what every signed-in page shares), `render` (templates, security headers), `sources` (highlighted
numbered source, diagnostics, flowchart), and one module per group of pages (`auth`, `flows`, `flow`,
`versions`, `pipes`, `runs`). Static files (CSS, JS) are served from `static/`, the highlighter's CSS from
`/static/highlight.css`; the Content-Security-Policy forbids inline scripts and styles.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flowlang.host.console import auth, flow, flows, pipes, runs, versions
from flowlang.host.console.render import STATIC, highlight_css

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
    Route("/flows/{flow_id}/export", flow.export, methods=["GET"]),
    Route("/flows/{flow_id}/publish", versions.publish, methods=["POST"]),
    Route("/flows/{flow_id}/diff", versions.diff, methods=["GET"]),
    Route("/flows/{flow_id}/versions/{number}/rollback", versions.rollback, methods=["POST"]),
    Route("/pipes", pipes.list_pipes, methods=["GET"]),
    Route("/pipes/new", pipes.new_form, methods=["GET"]),
    Route("/pipes/new", pipes.create, methods=["POST"]),
    Route("/pipes/{pipe_id}/enabled", pipes.toggle, methods=["POST"]),
    Route("/pipes/{pipe_id}/run", pipes.run_now, methods=["POST"]),
    Route("/pipes/{pipe_id}/token", pipes.rotate, methods=["POST"]),
    Route("/pipes/{pipe_id}/delete", pipes.delete, methods=["POST"]),
    Route("/runs", runs.list_runs, methods=["GET"]),
    Route("/runs/{run_id}", runs.show, methods=["GET"]),
    Route("/runs/{run_id}/reprocess", runs.reprocess, methods=["POST"]),
    Route("/static/highlight.css", highlight_css, methods=["GET"]),
    Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
]
