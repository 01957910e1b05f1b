"""An error is said in one line whatever it quotes: a value with a line break or another
control character, taken from params.yaml or a raw file, is shown escaped."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pipeline.errors import Problem, one_line
from pipeline.params import ParamsError
from pipeline.stage import stage_main

any_text = st.text(st.characters(codec="utf-8"), max_size=40)


def lines(text: str) -> int:
    return len(text.splitlines()) or 1


@given(any_text)
def test_one_line_is_one_line_and_keeps_printable_text(text):
    shown = one_line(text)
    assert lines(shown) == 1
    assert all(ch in shown for ch in text if ch.isprintable())


def test_one_line_escapes_as_python_writes():
    assert one_line("kind: '\n'\t\x1b\u2028") == "kind: '\\n'\\t\\x1b\\u2028"
    assert one_line("1.315 personer; 34\u00a0%; Ø") == "1.315 personer; 34\u00a0%; Ø"


@given(key=any_text, message=any_text)
def test_a_params_error_is_one_line(key, message):
    assert lines(str(ParamsError(key, message))) == 1


@given(file=any_text, column=st.none() | any_text, message=any_text)
def test_a_problem_is_one_line(file, column, message):
    assert lines(Problem(file, 3, column, "check", message).render()) == 1


@given(message=any_text)
def test_a_stage_refusal_is_one_line(message):
    def refuse():
        raise SystemExit(f"noegletal charts: unknown format {message}")

    with pytest.raises(SystemExit) as exc:
        stage_main(refuse, "charts")
    assert lines(str(exc.value.code)) == 1


def test_a_stage_exit_code_is_kept():
    def stop():
        raise SystemExit(3)

    with pytest.raises(SystemExit) as exc:
        stage_main(stop, "charts")
    assert exc.value.code == 3


@given(arg=any_text.filter(lambda a: one_line(a) != a))
def test_an_argument_with_a_control_character_is_refused_before_any_command(arg):
    from pipeline import cli

    ran = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "app", lambda: ran.append(True))
        mp.setattr("sys.argv", ["noegletal", "table", arg])
        with pytest.raises(SystemExit) as exc:
            cli.entry_point()
    assert not ran
    assert lines(str(exc.value.code)) == 1 and "argument 2" in str(exc.value.code)


def test_a_command_refusal_quoting_a_value_is_one_line(monkeypatch):
    from pipeline import cli

    def refuse():
        raise SystemExit("noegletal explain: no figure for series 'medlem\nmer' in 2024")

    monkeypatch.setattr(cli, "app", refuse)
    monkeypatch.setattr("sys.argv", ["noegletal", "explain", "medlemmer", "2024"])
    with pytest.raises(SystemExit) as exc:
        cli.entry_point()
    assert exc.value.code == "noegletal explain: no figure for series 'medlem\\nmer' in 2024"


@given(before=any_text, bad=st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80"]), after=any_text)
def test_the_first_byte_that_is_not_utf8_is_located(before, bad, after):
    from pipeline.errors import NotUtf8, utf8_text

    with pytest.raises(NotUtf8) as exc:
        utf8_text(before.encode() + bad + after.encode())
    lines = before.split("\n")
    assert (exc.value.line, exc.value.column, exc.value.byte) == (len(lines), len(lines[-1]) + 1, bad[0])
