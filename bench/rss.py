"""Run a command and report its peak RSS: `python -m bench.rss [--out FILE] CMD...` prints a JSON report.

The report: {"rss_kb", "returncode", "seconds", "cpu", "stdout"}: `seconds` is the command's wall-clock
time (this process's own start-up is not in it), `cpu` its user + system seconds. With `--out FILE` the
command's stdout goes to FILE and "stdout" is empty (large outputs stay out of the report).

A child's ru_maxrss also counts the memory of the process that forked it (Linux keeps the high-water
mark across fork and exec), so the benchmark, which holds large data, measures through this small
process instead: getrusage(RUSAGE_CHILDREN) here sees only the one command.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    args = sys.argv[1:]
    out = None
    if args[:1] == ["--out"]:
        out, args = args[1], args[2:]
    start = time.perf_counter()
    if out is None:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stdout = done.stdout.decode()
    else:
        with open(out, "wb") as handle:
            done = subprocess.run(args, stdout=handle, stderr=subprocess.DEVNULL)
        stdout = ""
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    json.dump({"rss_kb": usage.ru_maxrss, "returncode": done.returncode, "seconds": seconds,
               "cpu": usage.ru_utime + usage.ru_stime, "stdout": stdout}, sys.stdout)


if __name__ == "__main__":
    main()
