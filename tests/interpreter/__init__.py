"""Tests of the interpreter (a package so that the flow corpus helpers can be imported)."""
