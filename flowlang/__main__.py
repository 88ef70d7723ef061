"""`python -m flowlang`: the same as the flowlang command."""

from flowlang.cli import main

main()
