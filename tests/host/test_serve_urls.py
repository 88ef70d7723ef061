"""`flowlang serve` says where it listens once the socket is bound: the real port (also with --port 0) and
where the API, the console and the OpenAPI document are; each answers there."""

from __future__ import annotations

import re

import httpx

from flowlang.host.serving import announcement, url_of
from host.harness import HostServer

ANNOUNCED = re.compile(r"^flowlang serve: (http://127\.0\.0\.1:(\d+)) \(API /v2, console /flows, "
                       r"OpenAPI /openapi\.json\)$", re.M)


def test_serve_prints_its_url_with_the_bound_port(private_host: HostServer) -> None:
    found = ANNOUNCED.search(private_host.log())
    assert found, private_host.log()
    url = found.group(1)
    assert url == private_host.url and int(found.group(2)) > 0  # --port 0: the port it really got
    assert httpx.get(f"{url}/openapi.json").status_code == 200
    assert httpx.get(f"{url}/v2/flows").status_code == 401  # the API, asking for a token
    console = httpx.get(f"{url}/flows", follow_redirects=True)
    assert console.status_code == 200 and "text/html" in console.headers["content-type"]


def test_ipv6_addresses_are_bracketed() -> None:
    assert url_of("::1", 8080) == "http://[::1]:8080"
    assert announcement("http://127.0.0.1:8080") == \
        "flowlang serve: http://127.0.0.1:8080 (API /v2, console /flows, OpenAPI /openapi.json)"
