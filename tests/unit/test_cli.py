"""The command line as users script it: real processes, real files, exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from ropa.records import Status
from ropa.register import Register
from tests.helpers.cli import run_ropa


def test_demo_writes_a_rich_example_register(tmp_path: Path) -> None:
    path = tmp_path / "demo.ropa"
    result = run_ropa("demo", str(path))
    assert result.returncode == 0, result.stderr
    assert "activities" in result.stdout
    with Register.open(path) as register:
        records = register.activities.load(include_retired=True)
        items = {item.name: item for item in register.library.items()}
        organisation = register.organisation.get()
    assert len(records) >= 12
    assert organisation.name
    bases = {entry.basis for record in records for entry in record.lawful_bases}
    assert {"a", "c", "e"} <= bases
    assert any(record.article9 for record in records)
    assert any(items[name].criminal_offence for r in records for name in r.data_categories)
    assert any(items[name].contract_link for r in records for name in r.processors)
    assert any(record.transfers for record in records)
    assert any(record.automated_decisions for record in records)
    assert any(record.consent_record_link for record in records)
    assert any(record.role == "processor" for record in records)
    assert {record.status for record in records} >= {Status.APPROVED, Status.DRAFT}


def test_demo_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "existing.ropa"
    path.write_bytes(b"precious")
    result = run_ropa("demo", str(path))
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert path.read_bytes() == b"precious"


def test_a_bad_register_path_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.ropa"
    bad.write_text("hello", encoding="utf-8")
    result = run_ropa("export", str(tmp_path / "out.xlsx"), "--db", str(bad))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a ROPA desk register" in result.stderr
    assert bad.read_text(encoding="utf-8") == "hello"


def test_usage_errors_exit_2() -> None:
    assert run_ropa("export").returncode == 2
    assert run_ropa("frobnicate").returncode == 2


def test_a_mistyped_register_is_not_created_by_a_read_only_command(tmp_path: Path) -> None:
    missing = tmp_path / "registr.ropa"
    for command in (["check"], ["export", str(tmp_path / "out.xlsx")]):
        result = run_ropa(*command, "--db", str(missing))
        assert result.returncode == 1
        assert "There is no register at" in result.stderr
        assert not missing.exists()
    assert not (tmp_path / "out.xlsx").exists()


def test_a_demo_that_fails_part_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ropa import demo

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(demo, "_add_notices", broken)
    target = tmp_path / "demo.ropa"
    with pytest.raises(OSError, match="disk full"):
        demo.write_demo(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.undo()
    demo.write_demo(target).close()  # and trying again is not refused
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.ropa"]
