"""Run a command and report its peak RSS: `python -m bench.rss CMD...` prints {"rss_kb", "returncode", "stdout"}.

A child's ru_maxrss also counts the memory of the process that forked it (Linux keeps the high-water
mark across fork and exec), so the benchmark, which holds large data, measures through this small
process instead: getrusage(RUSAGE_CHILDREN) here sees only the one command.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def main() -> None:
    done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    json.dump({"rss_kb": usage.ru_maxrss, "returncode": done.returncode, "stdout": done.stdout}, sys.stdout)


if __name__ == "__main__":
    main()
