"""The import direction ui -> ropa -> db is a house rule: these tests enforce it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize("folder", ["ropa", "db"])
def test_domain_and_storage_never_import_qt(folder: str) -> None:
    offenders = [
        (p.name, m) for p, m in imported_modules(ROOT / folder) if m.split(".")[0] == "PySide6"
    ]
    assert offenders == []


def test_ui_never_imports_sqlalchemy() -> None:
    offenders = [
        (p.name, m) for p, m in imported_modules(ROOT / "ui") if m.split(".")[0] == "sqlalchemy"
    ]
    assert offenders == []


@pytest.mark.parametrize("folder", ["ropa", "db"])
def test_domain_and_storage_never_import_the_desktop_layer(folder: str) -> None:
    """Not even lazily inside a function: the app is started by main.py, the composition
    root, which hands the command line what it needs from ui/."""
    offenders = [(p.name, m) for p, m in imported_modules(ROOT / folder) if m.split(".")[0] == "ui"]
    assert offenders == []


def test_db_never_imports_the_domain_or_ui() -> None:
    offenders = [
        (p.name, m) for p, m in imported_modules(ROOT / "db") if m.split(".")[0] in {"ropa", "ui"}
    ]
    assert offenders == []


def test_the_scanner_sees_nested_and_from_imports(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text(
        "def f():\n    from PySide6.QtCore import QObject\n    import sqlalchemy.orm\n",
        encoding="utf-8",
    )
    assert sorted(m for _p, m in imported_modules(tmp_path)) == ["PySide6.QtCore", "sqlalchemy.orm"]
