"""`python -m flowlang`: the same as the flowlang command."""

from flowlang.cli.entry import main

main()
