"""Every API test that runs on the shared server, run against `flowlang serve --db postgresql://…`."""

from __future__ import annotations

from host.test_auth import *  # noqa: F403
from host.test_concurrency import *  # noqa: F403
from host.test_credentials import *  # noqa: F403
from host.test_example_client import *  # noqa: F403
from host.test_flows_api import *  # noqa: F403
from host.test_transfer import *  # noqa: F403
from host.test_versions import *  # noqa: F403
