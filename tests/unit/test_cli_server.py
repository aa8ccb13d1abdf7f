"""Every command takes --db postgresql://... as it takes a file: a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import psycopg

from ropa.demo import write_demo
from tests.helpers.cli import run_ropa


def _cells(path: Path) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def _tables(url: str) -> int:
    with psycopg.connect(url) as connection:
        found = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return int(found.fetchone()[0])  # type: ignore[index]


def test_import_export_notice_and_check_on_a_team_register(
    postgres_url: str, tmp_path: Path
) -> None:
    demo = tmp_path / "demo.ropa"
    write_demo(demo).close()
    from_file = tmp_path / "from-file.xlsx"
    assert run_ropa("export", str(from_file), "--db", str(demo)).returncode == 0

    # A read-only command on an empty database says so and creates nothing there.
    refused = run_ropa("export", str(tmp_path / "none.xlsx"), "--db", postgres_url)
    assert refused.returncode == 1 and "no register" in refused.stderr
    assert _tables(postgres_url) == 0

    # Nor does an import without --new (the URL may be mistyped); with it, the register is made.
    refused = run_ropa("import", str(from_file), "--db", postgres_url)
    assert refused.returncode == 1 and "--new" in refused.stderr
    assert _tables(postgres_url) == 0
    imported = run_ropa("import", str(from_file), "--db", postgres_url, "--new")
    assert imported.returncode == 0, imported.stderr
    from_server = tmp_path / "from-server.xlsx"
    exported = run_ropa("export", str(from_server), "--db", postgres_url)
    assert exported.returncode == 0, exported.stderr
    assert _cells(from_server) == _cells(from_file)

    notice = tmp_path / "notice.md"
    written = run_ropa("notice", str(notice), "--db", postgres_url)
    assert written.returncode == 0, written.stderr
    assert "Northfield Borough Council" in notice.read_text(encoding="utf-8")
    checked = run_ropa("check", "--db", postgres_url)
    assert checked.returncode == 1 and "A30-RETENTION" in checked.stdout


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    result = run_ropa("check", "--db", "postgresql://nobody@127.0.0.1:1/register")
    assert result.returncode == 1
    assert "Cannot connect to the team register" in result.stderr
    assert "Traceback" not in result.stderr
