"""Benchmark: completion round trips of `flowlang lsp` over stdio on a 5,000-line file (target: under 100 ms).

    python bench/lsp_completion.py [--lines 5000] [--repeat 20]

The file is bench/gen_flow.py's check-clean flow of that many lines with one more flow at its end; each
request is sent after an edit (as an editor does while typing) and timed from request to answer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` and `flowlang` from this checkout

from bench import gen_flow
from bench.common import Table, out_dir, verdict

TARGET_S = 0.100
TAIL = """
flow typing {
  order = {number: "1", lines: []}
  total = 0
  for line in order.lines {
    total += line.price
  }
  return total
}
"""
# (what is typed, in place of `return total`, and the label)
CASES = [("call shop.", "`call shop.` (operations)"), ("x = ", "a name (keywords, builtins, names in scope)"),
         ("call shop.get_order(", "arguments of an API call")]


def bench_lsp_completion(lines: int, repeat: int) -> Table:
    from flowlang.tools.lsp.client import StdioClient

    path = out_dir() / f"lsp-{lines}.flow"
    text = gen_flow.generate(lines) + TAIL
    path.write_text(text, encoding="utf-8")
    table = Table(f"Completion over stdio, {text.count(chr(10)):,} lines", ["median ms", "p90 ms", "items"])
    client = StdioClient()
    try:
        client.initialize(path.parent, {"debounce": 0.3})
        uri = client.open(path)
        client.diagnostics(uri, timeout=120)
        version = 1
        for typed, label in CASES:
            version += 1
            edited = text.replace("  return total\n}", f"  {typed}\n  return total\n}}")
            client.change(uri, edited, version)
            line = edited.count("\n", 0, edited.index(f"  {typed}\n  return total"))
            params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": 2 + len(typed)}}
            times, items = [], 0
            for _ in range(repeat):
                result, seconds = client.timed("textDocument/completion", params)
                times.append(seconds)
                items = len(result["items"])
            times.sort()
            median = statistics.median(times)
            table.add(label, f"{median * 1000:.1f}", f"{times[int(len(times) * 0.9) - 1] * 1000:.1f}", str(items),
                      verdict=verdict(median < TARGET_S))
    finally:
        client.shutdown()
    table.notes.append("each request follows an edit; the server answers from its last analysis (no re-check)")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    table = bench_lsp_completion(args.lines, args.repeat)
    print(table.render())
    missed = sum(1 for row in table.rows if row.verdict == "MISSED")
    print(f"{missed} target(s) missed" if missed else "all targets met")


if __name__ == "__main__":
    main()
