"""`ropa notice FILE [--function NAME]... [--title TEXT]` (PDF is tested with the GUI tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ropa import cli
from ropa.register import Register


@pytest.fixture
def demo_path(demo_register: Register) -> Path:
    path = demo_register.path
    demo_register.close()
    return path


def test_all_activities_with_the_organisation_in_the_default_title(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notice.md"
    assert cli.main(["notice", str(target), "--db", str(demo_path)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Northfield Borough Council: privacy notice")
    assert "Youth justice service" in text and "School admissions" in text
    out, err = capsys.readouterr()
    assert "covering 15 activities" in out
    assert "(2 gaps to complete" in out
    assert "CS-012 Private fostering has no retention period recorded" in err
    one_function = ["--function", "Children's social care"]
    assert cli.main(["notice", str(target), "--db", str(demo_path), *one_function]) == 0
    assert "(1 gap to complete" in capsys.readouterr().out  # never "1 gaps"


def test_named_functions_and_title(demo_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "notice.html"
    args = ["notice", str(target), "--db", str(demo_path), "--function", "early help"]
    assert cli.main([*args, "--title", "Early help & you"]) == 0
    html = target.read_text(encoding="utf-8")
    assert "<h1>Early help &amp; you</h1>" in html
    assert "Early help family support" in html
    assert "Youth justice service" not in html


def test_unknown_function_or_format_is_refused_and_nothing_written(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notice.txt"
    assert cli.main(["notice", str(target), "--db", str(demo_path), "--function", "Zoo"]) == 1
    assert "No activity has the business function “Zoo”" in capsys.readouterr().err
    odt = tmp_path / "notice.odt"
    assert cli.main(["notice", str(odt), "--db", str(demo_path)]) == 1
    assert "Choose a file ending in one of" in capsys.readouterr().err
    assert not target.exists() and not odt.exists()
    assert list(tmp_path.glob(".notice-*")) == []


def test_word_and_text_files(demo_path: Path, tmp_path: Path) -> None:
    for suffix in ("docx", "txt"):
        target = tmp_path / f"notice.{suffix}"
        assert cli.main(["notice", str(target), "--db", str(demo_path)]) == 0
        assert target.stat().st_size > 1000


def test_the_default_title_keeps_the_business_functions_capitals(register: Register) -> None:
    from ropa.notices.cli import adhoc_notice
    from tests.conftest import sample_activity

    register.activities.create(sample_activity(reference="ED-1", business_function="SEND"))
    register.activities.create(
        sample_activity(reference="ED-2", business_function="early help  team")
    )
    assert adhoc_notice(register, ["send"]).title == "SEND privacy notice"
    assert adhoc_notice(register, [" Early Help team"]).title == "Early help  team privacy notice"
    register.organisation.update({"name": "Northfield Borough Council"})
    assert (
        adhoc_notice(register, ["SEND", "early help team"]).title
        == "Northfield Borough Council: SEND and early help  team privacy notice"
    )
    assert adhoc_notice(register).title == "Northfield Borough Council: privacy notice"


def test_what_it_prints_cannot_drive_the_terminal(
    register: Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropa.notices.cli import run_notice
    from tests.conftest import sample_activity

    hostile = "Evil\x1b[2J\u202ename"
    register.activities.create(sample_activity(name=hostile, retention=[]))
    target = tmp_path / "notice.md"
    assert run_notice(register, target, title="Notice\x1b]0;owned\x07") == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\u202e" not in out + err and "\x07" not in out
    assert "Notice\\x1b]0;owned\\x07" in out
    assert "CS-001 Evil\\x1b[2J\\u202ename has no retention period recorded." in err
