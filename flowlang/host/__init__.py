"""The flow host (`flowlang serve`): projects, flows, versions and credentials behind the Create-a-Flow API.

Layout: `settings` (one object built from flags and environment), `store/` (SQLite | PostgreSQL: schema,
migrations, one repository module per resource), `api/` (one router module per resource), `errors` (the
JSON:API error envelope), `app` (the ASGI application). Nothing below the host imports it.
"""

from __future__ import annotations
