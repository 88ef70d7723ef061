"""The quickstart: run one example flow against the fake systems with a single command.

    python examples/demo.py                    # P21 -> Magento customers
    python examples/demo.py order_webhook      # any example: p21_to_magento, order_webhook, inventory_sync, …
    python examples/demo.py --list

Starts the fake systems on a free local port, points the examples' systems at it (P21_URL, MAGENTO_URL,
ERP_URL, EP_URL), runs `flowlang run` on the example with a throw-away state database, and shows the
flow's log, its result and the requests the fake systems received. When `samples/<example>.json` exists,
it is the flow's input (`--input`). The exit code is flowlang's: 0 ok, 1 check errors, 3 the flow failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import fake_systems  # a sibling module: this script's directory is on sys.path

EXAMPLES = Path(__file__).resolve().parent
DEFAULT_EXAMPLE = "p21_to_magento"
FLOWLANG = [sys.executable, "-c", "from flowlang.cli import main; main(prog_name='flowlang')"]


def examples() -> list[str]:
    """Names of the runnable examples: every .flow file here that declares a flow."""
    return sorted(
        p.stem for p in EXAMPLES.glob("*.flow") if "\nflow " in p.read_text(encoding="utf-8")
    )


def flow_command(name: str, state: Path, *, log_format: str = "text") -> list[str]:
    """The `flowlang run` command line of an example, with its sample input when it has one."""
    args = ["run", display(EXAMPLES / f"{name}.flow")]
    sample = EXAMPLES / "samples" / f"{name}.json"
    if sample.exists():
        args += ["--input", display(sample)]
    args += ["--state", str(state)]
    if log_format != "text":
        args += ["--log-format", log_format]
    return args


def display(path: Path) -> str:
    """`path` relative to the working directory when it is below it (shorter to read), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def request_summary(server: fake_systems.RunningServer) -> list[str]:
    """One line per route and status with a count, in order of first appearance."""
    counts = Counter(
        f"{r['method']} {server.systems.route_of(r['method'], r['path'])} -> {r['status']}"
        for r in server.requests()
    )
    return [f"  {count:>4} x {line}" for line, count in counts.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run an example flow against the bundled fake systems."
    )
    parser.add_argument(
        "example", nargs="?", default=DEFAULT_EXAMPLE, help="example name (default: %(default)s)"
    )
    parser.add_argument("--list", action="store_true", help="list the examples and exit")
    parser.add_argument(
        "--port", type=int, default=0, help="port of the fake systems (default: a free one)"
    )
    parser.add_argument("--log-format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)

    names = examples()
    if args.list:
        print("\n".join(names))
        return 0
    name = Path(args.example).stem
    if name not in names:
        parser.error(f"unknown example {args.example!r}; choose one of: {', '.join(names)}")

    with fake_systems.start(port=args.port) as server, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **server.env()}
        command = flow_command(name, Path(tmp) / "state.db", log_format=args.log_format)
        print(f"fake systems: {server.url} (P21, Magento, ERP and Elastic Path)", flush=True)
        print(f"$ flowlang {' '.join(command)}", flush=True)
        code = subprocess.run([*FLOWLANG, *command], env=env, check=False).returncode
        print(
            f"\nflowlang exited with {code}; the fake systems received {len(server.requests())} requests:"
        )
        print("\n".join(request_summary(server)))
    return code


if __name__ == "__main__":
    sys.exit(main())
