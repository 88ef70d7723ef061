"""Rendering console pages: the Jinja2 environment (autoescaping everything), security headers, redirects."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# No inline script or style, nothing from another origin, no framing, forms post only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def when(value: Any) -> Markup:
    """A UTC timestamp as `<time>`: UTC text (console.js shows it in the browser's zone), UTC on hover."""
    if not value:
        return Markup("—")
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        shown = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        shown = text
    return Markup('<time datetime="{0}" title="{1}">{1}</time>').format(text, shown)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = when
    return env


def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from `template`, every value escaped unless it is Markup made by the console itself."""
    context.setdefault("csrf", "")
    context.setdefault("signed_in", False)
    context.setdefault("flash", None)
    context.setdefault("warnings", [])  # an answer's meta.warnings, shown under the flash (base.html)
    context.setdefault("section", "")
    html = environment().get_template(template).render(request=request, **context)
    return secure(HTMLResponse(html, status_code=status))  # type: ignore[return-value]


def warnings_of(data: Any) -> list[dict[str, Any]]:
    """The `meta.warnings` of an API answer's data (publish: H1xx and W1xx; pipes: H201, H202)."""
    meta = data.get("meta") if isinstance(data, dict) else None
    found = meta.get("warnings") if isinstance(meta, dict) else None
    return [w for w in found if isinstance(w, dict)] if isinstance(found, list) else []


def redirect(url: str) -> Response:
    """303 See Other to a console path (only ever a path of this site)."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    return secure(RedirectResponse(url, status_code=303))


async def highlight_css(request: Request) -> Response:
    """GET /static/highlight.css: the classes of `flowlang.tools.highlight`, one stylesheet for every page."""
    from flowlang.tools.highlight import CSS

    return secure(Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"}))


def plain_text(text: str) -> Markup:
    """Escaped text as Markup (for places that join console-made markup with values)."""
    return Markup(escape(text))
