"""`flowlang test`: test blocks run on both engines with mocked systems, a virtual clock and cassettes.

It sits on top of the toolchain (loader, checker, interpreter, codegen); nothing below imports it.
`runner.main()` is the command; `cases` runs one test, `engines` one flow run, `mocks` the mocked systems,
`clock` the virtual clock, `cassettes` record and replay, `coverage` the statements reached, `report` output.
"""

from __future__ import annotations
