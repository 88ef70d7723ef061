"""Safe output (house rule 2): user names and text reach the module only mangled or through repr().

Each flow here uses names that are Python keywords, builtins or the module's own imports, or strings
that would break naive quoting; the compiled module must return exactly what the interpreter returns.
"""

from __future__ import annotations

import ast

import pytest

from .conftest import CompileFlow, RunBoth

TRICKY_NAMES = ["class", "None", "lambda", "json", "httpx", "sys", "__builtins__", "rt", "run", "main"]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_a_variable_named_like_python_or_the_module_works_in_both_engines(name: str, run_both: RunBoth) -> None:
    ran = run_both(
        f"""
        flow tricky {{
          {name} = [1, 2, 3]
          {name} += [4]
          total = sum(map({name}, x => x * 2))
          return {{name: "{name}", value: {name}, total: total}}
        }}
        """
    )
    assert ran.compiled == ran.interpreted
    assert ran.compiled[1] == {"name": name, "value": [1, 2, 3, 4], "total": 20}


def test_funcs_params_and_lambda_params_named_like_python_work(run_both: RunBoth) -> None:
    ran = run_both(
        """
        func lambda(class, None = 2) {
          return map(class, sys => sys * None)
        }

        flow tricky {
          return {doubled: lambda([1, 2]), tripled: lambda(class: [1], None: 3)}
        }
        """
    )
    assert ran.compiled == ran.interpreted
    assert ran.compiled[1] == {"doubled": [2, 4], "tripled": [3]}


STRINGS = {
    "quotes": r'''"it's \"quoted\""''',
    "triple quotes": r'''"\"\"\" and ''' + "'''" + r'''"''',
    "backslashes": r'''"C:\\path\\to\\file \\n not a newline"''',
    "braces": r'''"literal \{braces} and {1 + 1}"''',
    "newlines and tabs": r'''"line one\nline two\tTabbed\r"''',
    "emoji": r'''"rocket 🚀 and \u{1F600} and ünïcödé"''',
    "python code": r'''"\"); import os; os.system(\"echo pwned\"); (\""''',
    "a comment": r'''"# not a comment\n# fmt: off"''',
}


@pytest.mark.parametrize("literal", list(STRINGS.values()), ids=list(STRINGS))
def test_strings_come_out_exactly_as_the_interpreter_gives_them(literal: str, run_both: RunBoth) -> None:
    ran = run_both(
        f"""
        flow strings {{
          text = {literal}
          log info text
          return {{text: text, {literal}: length(text)}}
        }}
        """
    )
    assert ran.interpreted[0] == 0, ran.interpreted
    assert ran.compiled == ran.interpreted


def test_multiline_text_runs_nothing_and_stays_in_one_comment_line(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(
        '''
        flow multi {
          text = """first line
        "); raise SystemExit(9)  #
        third line"""
          return text
        }
        '''
    )
    tree = ast.parse(compiled.source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "SystemExit"]
    assert calls == []
    comments = [line for line in compiled.flow_part().splitlines() if line.strip().startswith("#")]
    assert all("raise SystemExit" not in c or c.strip().startswith("# main.flow:") for c in comments)


def test_object_keys_that_are_not_identifiers_are_string_keys(run_both: RunBoth) -> None:
    ran = run_both(
        """
        flow keys {
          data = {"a b": 1, "x\\"y": 2, "{z}": 3, "": 4, "__class__": 5}
          return {keys: keys(data), first: data["a b"], dunder: data.__class__}
        }
        """
    )
    assert ran.compiled == ran.interpreted
    assert ran.compiled[1]["dunder"] == 5


def test_every_user_name_in_the_flow_part_is_mangled(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(
        """
        func helper(value) {
          return value
        }

        flow mangled {
          import_me = helper(1)
          for item in [1] {
            import_me += item
          }
          return import_me
        }
        """
    )
    tree = ast.parse(compiled.flow_part())
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    user = {"import_me", "item", "value", "helper"}
    assert not (assigned & user)
    assert {"v_import_me", "v_item"} <= assigned
