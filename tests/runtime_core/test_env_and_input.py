"""The launcher's inputs: env files and the input payload, and their errors with file:line(:col)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from flowlang.runtime.launcher import LaunchError, load_env_file, parse_env_file, read_input


def test_env_lines_are_name_equals_value() -> None:
    assert parse_env_file("A=1\nB_2=two words\n", ".env") == {"A": "1", "B_2": "two words"}


def test_comments_blank_lines_and_export_are_allowed() -> None:
    text = "# settings\n\nexport TOKEN=abc\n   # indented comment\nURL = http://x\n"
    assert parse_env_file(text, ".env") == {"TOKEN": "abc", "URL": "http://x"}


def test_an_unquoted_value_ends_before_a_comment_but_keeps_a_hash_inside() -> None:
    assert parse_env_file("A=abc # the a\nB=x#y\n", ".env") == {"A": "abc", "B": "x#y"}


def test_single_quotes_keep_the_value_literally() -> None:
    assert parse_env_file("A='  #no comment \\n '\n", ".env") == {"A": "  #no comment \\n "}


def test_double_quotes_understand_escapes() -> None:
    assert parse_env_file('A="line\\nnext \\"q\\" \\\\"  # c\n', ".env") == {"A": 'line\nnext "q" \\'}


def test_an_empty_value_is_allowed() -> None:
    assert parse_env_file("A=\nB=''\n", ".env") == {"A": "", "B": ""}


def test_a_later_line_wins() -> None:
    assert parse_env_file("A=1\nA=2\n", ".env") == {"A": "2"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("A=1\njust words\n", 2, "expected NAME=VALUE (the line has no '=')"),
        ("A=1\n\n1BAD=x\n", 3, "the name before '=' starts with a digit"),
        ("MY-VAR=x\n", 1, "the name before '=' has '-' at column 3"),
        ("=x\n", 1, "the line has no name before '='"),
        ('A="open\n', 1, 'unterminated " quote'),
        ("A='open\n", 1, "unterminated ' quote"),
        ('A="x" y\n', 1, "unexpected text after the quoted value"),
    ],
)
def test_a_bad_line_is_an_error_at_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(LaunchError) as caught:
        parse_env_file(text, "prod.env")
    assert str(caught.value).startswith(f"prod.env:{line}: error: {message}")


@pytest.mark.parametrize("line", ["sk_live-51Hx9 2b", "sk-live-51Hx9=2b", 'A="ok"sk_live_51Hx9', "sk live 51Hx9=x"])
def test_an_env_file_error_never_quotes_the_line(line: str) -> None:
    with pytest.raises(LaunchError) as caught:
        parse_env_file(f"{line}\n", "prod.env")
    assert "51Hx9" not in str(caught.value) and "live" not in str(caught.value)


def test_a_missing_env_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(LaunchError, match=r"cannot read env file .*nope\.env.*No such file"):
        load_env_file(str(tmp_path / "nope.env"))


def test_an_env_file_may_start_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes("\ufeffA=1\n".encode())
    assert load_env_file(str(path)) == {"A": "1"}


# ---------------------------------------------------------------------- input


def test_no_input_path_means_no_input() -> None:
    assert read_input(None, io.StringIO("ignored")) is None


def test_input_is_read_as_json_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text('{"id": 7, "name": "Zoë"}', encoding="utf-8")
    assert read_input(str(path), io.StringIO()) == {"id": 7, "name": "Zoë"}


def test_a_dash_reads_the_input_from_stdin() -> None:
    assert read_input("-", io.StringIO("[1, 2]")) == [1, 2]


def test_invalid_json_is_an_error_at_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b" 2\n}', encoding="utf-8")
    with pytest.raises(LaunchError) as caught:
        read_input(str(path), io.StringIO())
    assert str(caught.value) == f"{path}:3:7: error: input is not valid JSON: Expecting ':' delimiter"


def test_invalid_json_on_stdin_is_reported_at_stdin() -> None:
    with pytest.raises(LaunchError, match=r"^<stdin>:1:1: error: input is not valid JSON"):
        read_input("-", io.StringIO(""))


def test_a_missing_input_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(LaunchError, match=r"cannot read input file .*missing\.json.*No such file"):
        read_input(str(tmp_path / "missing.json"), io.StringIO())


def test_an_input_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'"caf\xe9"')
    with pytest.raises(LaunchError, match="not UTF-8"):
        read_input(str(path), io.StringIO())


def test_an_endless_input_is_refused_at_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import flowlang.runtime.launcher as launcher

    monkeypatch.setattr(launcher, "MAX_INPUT_CHARS", 1000)
    with pytest.raises(LaunchError, match="input '/dev/zero' is larger than 1,000 characters"):
        read_input("/dev/zero", io.StringIO())
    with pytest.raises(LaunchError, match="input '<stdin>' is larger than 1,000 characters"):
        read_input("-", io.StringIO("[" + "1," * 600 + "1]"))


def test_an_input_of_exactly_the_size_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import flowlang.runtime.launcher as launcher

    text = "[" + "1," * 498 + "1]"  # 1,000 characters
    monkeypatch.setattr(launcher, "MAX_INPUT_CHARS", len(text))
    assert read_input("-", io.StringIO(text)) == [1] * 499
