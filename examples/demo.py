"""The quickstart: run one example flow against the fake systems with a single command.

    python examples/demo.py                    # P21 -> Magento customers
    python examples/demo.py order_webhook      # any example: p21_to_magento, order_webhook, inventory_sync, …
    python examples/demo.py --list
    python examples/demo.py inventory_sync --twice      # a second run finds nothing new
    python examples/demo.py price_sync --compiled       # run the module `flowlang compile` writes

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
    return ["run", display(EXAMPLES / f"{name}.flow"), *run_options(name, state, log_format)]


def run_options(name: str, state: Path, log_format: str = "text") -> list[str]:
    """The options of a run (shared by `flowlang run` and compiled modules): input, state, log format."""
    options = []
    sample = EXAMPLES / "samples" / f"{name}.json"
    if sample.exists():
        options += ["--input", display(sample)]
    options += ["--state", str(state)]
    if log_format != "text":
        options += ["--log-format", log_format]
    return options


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


def run_and_report(
    shown: str, argv: list[str], env: dict[str, str], server: fake_systems.RunningServer
) -> int:
    """Run one command as a user would see it, then list what the fake systems received."""
    server.clear()
    print(f"$ {shown}", flush=True)
    code = subprocess.run(argv, env=env, check=False).returncode
    count = len(server.requests())
    print(
        f"\nexit code {code}; the fake systems received {count} request{'' if count == 1 else 's'}:"
    )
    print("\n".join(request_summary(server)) + "\n", flush=True)
    return code


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
    parser.add_argument("--twice", action="store_true", help="run again with the same state")
    parser.add_argument(
        "--compiled", action="store_true", help="compile the flow, then run the compiled module"
    )
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
        print(f"fake systems: {server.url} (P21, Magento, ERP and Elastic Path)\n", flush=True)
        state = Path(tmp) / "state.db"
        if args.compiled:
            module = Path(tmp) / f"{name}.py"
            compile_args = ["compile", display(EXAMPLES / f"{name}.flow"), "-o", str(module)]
            print(f"$ flowlang {' '.join(compile_args)}", flush=True)
            code = subprocess.run([*FLOWLANG, *compile_args], env=env, check=False).returncode
            if code:
                return code
            options = run_options(name, state, args.log_format)
            shown, command = (
                f"python {module} {' '.join(options)}",
                [sys.executable, str(module), *options],
            )
        else:
            run_args = flow_command(name, state, log_format=args.log_format)
            shown, command = f"flowlang {' '.join(run_args)}", [*FLOWLANG, *run_args]
        for _ in range(2 if args.twice else 1):
            code = run_and_report(shown, command, env, server)
            if code:
                break
    return code


if __name__ == "__main__":
    sys.exit(main())
