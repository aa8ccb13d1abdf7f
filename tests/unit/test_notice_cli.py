"""`ropa notice FILE [--function NAME]... [--title TEXT] [--layer L] [--audience A] [--by G]`
(PDF is tested with the GUI tests)."""

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
    assert text.startswith("# DRAFT: Northfield Borough Council: privacy notice")
    # One section per business function by default.
    for function in ("Children's social care", "Early help", "Education", "Youth justice"):
        assert f"\n## {function}\n" in text
    out, err = capsys.readouterr()
    assert "covering 15 activities" in out
    # The two errors `ropa check` reports, each marked once in the text where it applies.
    assert "(2 gaps to complete" in out
    assert text.count("[To complete:") == 2
    assert "CS-012 Private fostering: No retention period is recorded." in err
    assert "CS-008 Early help family support: Article 9(2)(g) needs" in err
    one_function = ["--function", "Children's social care"]
    assert cli.main(["notice", str(target), "--db", str(demo_path), *one_function]) == 0
    assert "(1 gap to complete" in capsys.readouterr().out  # never "1 gaps"


def test_named_functions_and_title(demo_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "notice.html"
    args = ["notice", str(target), "--db", str(demo_path), "--function", "early help"]
    assert cli.main([*args, "--title", "Early help & you"]) == 0
    html = target.read_text(encoding="utf-8")
    assert "<h1>DRAFT: Early help &amp; you</h1>" in html
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
    from tests.helpers.activities import sample_activity

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
    from ropa.notice_writers import NoticeWriters
    from ropa.notices.cli import run_notice
    from tests.helpers.activities import sample_activity

    hostile = "Evil\x1b[2J\u202ename"
    register.activities.create(sample_activity(name=hostile, retention=[]))
    target = tmp_path / "notice.md"
    assert run_notice(register, target, NoticeWriters.domain(), title="Notice\x1b]0;owned\x07") == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\u202e" not in out + err and "\x07" not in out
    assert "Notice\\x1b]0;owned\\x07" in out
    assert "CS-001 Evil\\x1b[2J\\u202ename: No retention period is recorded." in err


def test_layers_audiences_and_sections_by_activity(demo_path: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.md"
    args = ["notice", str(short), "--db", str(demo_path), "--layer", "short"]
    assert cli.main([*args, "--full-url", "https://www.northfield.gov.uk.example/privacy"]) == 0
    text = short.read_text(encoding="utf-8")
    assert "## What we use your information for" in text
    assert "[Read the full privacy notice](<https://www.northfield.gov.uk.example/privacy>)" in text
    forms = tmp_path / "forms.txt"
    assert cli.main(["notice", str(forms), "--db", str(demo_path), "--layer", "just-in-time"]) == 0
    assert "School admissions\n-----------------" in forms.read_text(encoding="utf-8")
    children = tmp_path / "children.txt"
    args = ["notice", str(children), "--db", str(demo_path), "--audience", "children"]
    assert cli.main(args) == 0
    assert "We are Northfield Borough Council." in children.read_text(encoding="utf-8")
    by_activity = tmp_path / "by-activity.md"
    assert cli.main(["notice", str(by_activity), "--db", str(demo_path), "--by", "activity"]) == 0
    text = by_activity.read_text(encoding="utf-8")
    assert "\n## Youth justice service\n" in text and "\n## School admissions\n" in text


def test_an_unknown_layer_is_a_usage_error(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["notice", str(tmp_path / "n.md"), "--db", str(demo_path), "--layer", "long"])
    assert exit_.value.code == 2
