"""ropa copy: a whole register from a file to a server and back, and what it refuses.

Against a real PostgreSQL server (tests/postgres.py). The example register carries every
kind of row: activities with their child rows, libraries, the organisation, notices with
published versions, the change history and activities at every review step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ropa.copy_register import copied_tables, copy_register
from ropa.errors import RegisterFileError
from ropa.records import LibraryItemRecord, LibraryKind
from ropa.register import Register
from ropa.spreadsheets.export import export_workbook
from tests.helpers.activities import sample_activity
from tests.helpers.cli import run_ropa

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    from ropa.demo import write_demo

    path = tmp_path / "demo.ropa"
    write_demo(path).close()
    return path


def _rows(location: Path | str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in key order."""
    from sqlalchemy import select

    with Register.open(location, create=False) as register, register.reading() as session:
        connection = session.connection()
        return {
            table.name: [
                dict(row)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in copied_tables()
        }


def _workbooks(location: Path | str, folder: Path) -> dict[str, list[list[Any]]]:
    """The controller and processor workbooks' cells, sheet by sheet, read back."""
    cells: dict[str, list[list[Any]]] = {}
    with Register.open(location, create=False) as register:
        for processor in (False, True):
            path = folder / f"{'processor' if processor else 'controller'}.xlsx"
            export_workbook(register, path, processor=processor, include_retired=True)
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                cells[f"{path.stem}/{sheet.title}"] = [
                    list(row) for row in sheet.iter_rows(values_only=True)
                ]
    return cells


def _services_view(location: Path | str) -> dict[str, Any]:
    """What the services show of notices, history and review state."""
    with Register.open(location, create=False) as register:
        return {
            "notices": register.notices.list(),
            "history": [
                (c.changed_by, c.entity_type, c.entity_id, c.action, c.field, c.new_value)
                for c in register.history.changes()
            ],
            "review": [
                (a.reference, a.status, a.approved_by, a.last_reviewed, a.next_review)
                for a in register.activities.load()
            ],
            "libraries": register.library.items(),
        }


def test_a_file_copied_to_a_server_and_back_is_the_same_register(
    demo_file: Path, postgres_url: str, tmp_path: Path
) -> None:
    back = tmp_path / "back.ropa"
    to_server = copy_register(demo_file, postgres_url)
    from_server = copy_register(postgres_url, back)

    assert to_server.activities == from_server.activities == 16
    assert to_server.rows == from_server.rows
    assert to_server.changes > 0 and to_server.rows["notice_versions"] > 0
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    original = _workbooks(demo_file, tmp_path / "a")
    assert _workbooks(postgres_url, tmp_path / "b") == original
    assert _workbooks(back, tmp_path / "c") == original
    assert _services_view(postgres_url) == _services_view(demo_file) == _services_view(back)
    assert _rows(back) == _rows(demo_file)


def test_the_server_copy_is_a_working_register(demo_file: Path, postgres_url: str) -> None:
    copy_register(demo_file, postgres_url)
    with Register.open(postgres_url, create=False) as register:
        before = {a.id for a in register.activities.load()}
        items_before = {i.id for i in register.library.items(with_usage=False)}
        # Rows came in with their ids: new ones must not collide with them.
        created = register.activities.create(sample_activity(reference="NEW-1"))
        assert created.id not in before
        assert created.id == max(before) + 1
        item = register.library.create(
            LibraryItemRecord(LibraryKind.RECIPIENT, "A recipient added after the copy")
        )
        assert item.id not in items_before


def test_copying_onto_a_register_or_an_existing_file_is_refused_and_changes_nothing(
    demo_file: Path, postgres_register_url: str, postgres_url: str, tmp_path: Path
) -> None:
    before = _rows(postgres_register_url)
    with pytest.raises(RegisterFileError, match=r"not empty.*nothing was changed"):
        copy_register(demo_file, postgres_register_url)
    assert _rows(postgres_register_url) == before

    taken = tmp_path / "taken.ropa"
    taken.write_bytes(b"someone's file")
    with pytest.raises(RegisterFileError, match="already exists"):
        copy_register(demo_file, taken)
    assert taken.read_bytes() == b"someone's file"

    with pytest.raises(RegisterFileError, match="folder"):
        copy_register(demo_file, tmp_path)

    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("CREATE TABLE payroll (id integer)")
    with pytest.raises(RegisterFileError, match="not empty"):
        copy_register(demo_file, postgres_url)
    with psycopg.connect(postgres_url) as other:
        assert other.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (1,)


def test_a_file_made_at_the_target_during_the_copy_is_kept(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The target is checked before a copy that may take seconds; someone may save a register
    # there meanwhile (another copy, the app creating it). The copy must not replace it.
    import ropa.copy_register as copying

    target = tmp_path / "new.ropa"
    copy_rows = copying._copy_rows

    def and_meanwhile(reading: Any, writing: Any) -> Any:
        counts = copy_rows(reading, writing)
        target.write_bytes(b"a register someone saved meanwhile")
        return counts

    monkeypatch.setattr(copying, "_copy_rows", and_meanwhile)
    with pytest.raises(
        RegisterFileError, match=r"new\.ropa was saved by someone else.*theirs is kept"
    ):
        copy_register(demo_file, target)
    assert target.read_bytes() == b"a register someone saved meanwhile"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo.ropa", "new.ropa"]


def test_ropa_copy_on_the_command_line(demo_file: Path, postgres_url: str, tmp_path: Path) -> None:
    done = run_ropa("copy", str(demo_file), postgres_url)
    assert done.returncode == 0, done.stderr
    assert "16 activities" in done.stdout
    again = run_ropa("copy", str(demo_file), postgres_url)
    assert again.returncode == 1 and "not empty" in again.stderr
    missing = run_ropa("copy", str(tmp_path / "nowhere.ropa"), str(tmp_path / "x.ropa"))
    assert missing.returncode == 1 and "no register" in missing.stderr.lower()
    assert not (tmp_path / "x.ropa").exists()
    check = run_ropa("check", "--db", postgres_url)
    assert check.returncode == 1 and "CS-008" in check.stdout


_KILLED_HALF_WAY = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import ropa.copy_register as copying

    source, target, signal_file = sys.argv[1:4]
    chunks = copying._chunks

    def slowed(reading, table):
        for chunk in chunks(reading, table):
            yield chunk
            if table.name == "activities":
                # The activities are written: say so, and wait to be killed.
                Path(signal_file).write_text("half-way")
                time.sleep(120)

    copying._chunks = slowed
    target = target if target.startswith("postgresql") else Path(target)
    copying.copy_register(Path(source), target)
    """
)


@pytest.mark.parametrize("to", ["file", "server"])
def test_a_copy_killed_half_way_leaves_the_target_untouched(
    to: str, demo_file: Path, postgres_url: str, tmp_path: Path
) -> None:
    target = postgres_url if to == "server" else str(tmp_path / "copy.ropa")
    half_way = tmp_path / "half-way"
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_HALF_WAY, str(demo_file), target, str(half_way)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        deadline = time.monotonic() + 120
        while not half_way.exists():
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "the copy never got half-way"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()

    if to == "file":
        assert not Path(target).exists()
    else:
        import psycopg

        with psycopg.connect(postgres_url) as server:
            tables = server.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert tables.fetchone() == (0,)
    # Nothing half-made stands in the way of copying again.
    copy_register(demo_file, Path(target) if to == "file" else target)
    assert (
        _rows(Path(target) if to == "file" else target)["activities"]
        == _rows(demo_file)["activities"]
    )
