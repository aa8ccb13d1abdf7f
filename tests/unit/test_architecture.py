"""The import direction ui -> ropa -> db is a house rule: these tests enforce it."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
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


# --- import circles ---------------------------------------------------------------------------
#
# A circle of imports (a imports b, b imports a, directly or round a longer loop) works only
# while every import in it stays lazy or TYPE_CHECKING-only, and it ties the modules in it into
# one lump that can be neither read nor tested apart. So every import counts here: at module
# level, inside functions and under TYPE_CHECKING.
#
# Importing a.b.c also runs a/__init__.py and a/b/__init__.py, so it depends on those packages
# too, except the importer's own packages: Python has those in sys.modules before the importer's
# body runs, so a package __init__ that re-exports its own modules makes no circle of its own.

FOLDERS = ("ropa", "db", "ui")


def module_names(root: Path, folders: tuple[str, ...] = FOLDERS) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `folders` under `root` (migrations are
    scripts Alembic loads by path, never imported)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _packages_of(name: str) -> list[str]:
    """The enclosing packages of a dotted name, outermost first: a.b.c -> [a, a.b]."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _imported_names(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: Collection[str]
) -> list[str]:
    """The dotted names of the modules one import statement asks for by name. A from-import
    asks for each name that is a submodule of its base, and for the base itself when it takes
    any other name (which the base's __init__ must have defined)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        # Relative: level 1 is the importer's own package (the module itself for an __init__).
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    submodules = [f"{base}.{alias.name}" for alias in node.names]
    named = [name for name in submodules if name in modules]
    return named if len(named) == len(submodules) else [base, *named]


def import_graph(root: Path, folders: tuple[str, ...] = FOLDERS) -> dict[str, set[str]]:
    """Module -> the modules of `folders` that importing it runs, by any import anywhere in
    it, with the packages those live in (but not the importer's own, see above)."""
    modules = module_names(root, folders)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        own_packages = {*_packages_of(module), module}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported_names(node, module, is_package, modules):
                runs = [p for p in _packages_of(name) if p not in own_packages]
                graph[module].update(t for t in [*runs, name] if t in modules and t != module)
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, with
    an explicit stack: the graph is deep enough to trouble Python's recursion limit)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowest[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    lowest[node] = min(lowest[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowest[parent] = min(lowest[parent], lowest[node])
                if lowest[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
    return sorted(circles)


def _describe(graph: dict[str, set[str]], circle: list[str]) -> str:
    members = set(circle)
    lines = [f"{len(circle)} modules import each other round a circle:"]
    lines += [f"  {m} -> {', '.join(sorted(graph[m] & members))}" for m in circle]
    return "\n".join(lines)


def test_no_import_circle_among_ropa_db_and_ui(project_graph: dict[str, set[str]]) -> None:
    graph = project_graph
    assert len(graph) > 100  # the scanner found the modules (a wrong root finds none)
    circles = import_circles(graph)
    assert circles == [], "\n".join(_describe(graph, circle) for circle in circles)


# The modules whose classes and functions the register builds or hands itself to: they work
# through a Store (ropa/store.py) or a Protocol of their own, never the Register.
SERVICES = (
    "ropa.activities",
    "ropa.storage.activity_list",
    "ropa.checks.engine",
    "ropa.history",
    "ropa.history_export",
    "ropa.library",
    "ropa.notices.render",
    "ropa.notices.service",
    "ropa.organisation",
    "ropa.review",
    "ropa.starter",
    "ropa.team",
    "ropa.team_membership",
    "ropa.team_refusals",
)


@pytest.fixture(scope="module")
def project_graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


@pytest.mark.parametrize("service", SERVICES)
def test_services_never_import_the_register(
    service: str, project_graph: dict[str, set[str]]
) -> None:
    """Not even under TYPE_CHECKING: the register is the façade that builds them."""
    assert "ropa.register" not in project_graph[service]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_circle_scanner_finds_lazy_and_type_checking_circles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ropa/__init__.py": "",
            "ropa/service.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ropa.facade import Facade\n"
            ),
            "ropa/facade.py": "def build():\n    from ropa import service\n",
            "ropa/leaf.py": "import ropa.service\n",
            "ropa/pkg/__init__.py": "from .inner import thing\n",
            "ropa/pkg/inner.py": "from . import sibling\nthing = 1\n",
            "ropa/pkg/sibling.py": "",
            "ropa/loop/__init__.py": "from .user import used\nname = 1\n",
            "ropa/loop/user.py": "used = 2\ndef f():\n    from ropa.loop import name\n",
        },
    )
    graph = import_graph(tmp_path, ("ropa",))
    assert graph["ropa.service"] == {"ropa.facade"}
    assert graph["ropa.facade"] == {"ropa.service"}
    assert graph["ropa.pkg"] == {"ropa.pkg.inner"}
    # A façade __init__ re-exporting its own modules is no circle (see above).
    assert graph["ropa.pkg.inner"] == {"ropa.pkg.sibling"}
    # ...but a module taking a name its package's __init__ defines needs that __init__ run.
    assert graph["ropa.loop.user"] == {"ropa.loop"}
    assert import_circles(graph) == [
        ["ropa.facade", "ropa.service"],
        ["ropa.loop", "ropa.loop.user"],
    ]


def test_the_circle_scanner_counts_the_packages_an_import_runs(tmp_path: Path) -> None:
    """Importing checks.findings runs checks/__init__.py, which imports the engine: a module
    the engine needs may not import checks.findings, though it never names the engine."""
    _write(
        tmp_path,
        {
            "ropa/__init__.py": "",
            "ropa/checks/__init__.py": "from ropa.checks.engine import run\n",
            "ropa/checks/engine.py": "from ropa.notices import content\ndef run(): ...\n",
            "ropa/checks/findings.py": "",
            "ropa/notices/__init__.py": "",
            "ropa/notices/content.py": "def f():\n    from ropa.checks.findings import x\n",
        },
    )
    graph = import_graph(tmp_path, ("ropa",))
    assert graph["ropa.notices.content"] == {"ropa.checks", "ropa.checks.findings"}
    assert import_circles(graph) == [["ropa.checks", "ropa.checks.engine", "ropa.notices.content"]]


# --- the tests' own modules -------------------------------------------------------------------
#
# A test module imported by another runs its tests' module code twice over and ties the two
# together (moving or renaming a test breaks an unrelated one); a conftest imported as a module
# may be loaded a second time under another name. What tests share lives in tests/helpers/
# (fixtures there are registered as plugins by tests/conftest.py); tests/unit and tests/ui
# hold only test modules and their conftest.


def _shared_from_a_test(module: str) -> bool:
    """Whether importing `module` (a dotted name under tests.) takes something from a test
    module, a conftest, or a module kept among the tests rather than in tests/helpers/."""
    parts = module.split(".")
    if parts[0] != "tests":
        return False
    last = parts[-1]
    among_tests = len(parts) > 2 and parts[1] in {"unit", "ui"}
    return last.startswith("test_") or last == "conftest" or among_tests


def imports_of_test_modules(tests_folder: Path) -> list[tuple[str, str]]:
    """(file, module) for every import, anywhere in a file under `tests_folder`, that takes
    something from another test module (see _shared_from_a_test)."""
    offenders = []
    for path, module in imported_modules(tests_folder):
        if _shared_from_a_test(module):
            offenders.append((str(path.relative_to(tests_folder.parent)), module))
    return sorted(offenders)


def test_no_test_module_imports_another_test_module() -> None:
    assert imports_of_test_modules(ROOT / "tests") == []


def test_the_test_module_check_finds_what_it_must(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "unit").mkdir(parents=True)
    (tests / "helpers").mkdir()
    (tests / "unit" / "test_a.py").write_text(
        "from tests.unit.test_b import run\n"
        "from tests.conftest import sample\n"
        "from tests.helpers.cli import run_ropa\n"
        "def test_x():\n    from tests.ui.printed_pages import pdf_text\n",
        encoding="utf-8",
    )
    (tests / "helpers" / "ok.py").write_text("import tests.unit.test_c\n", encoding="utf-8")
    assert imports_of_test_modules(tests) == [
        ("tests/helpers/ok.py", "tests.unit.test_c"),
        ("tests/unit/test_a.py", "tests.conftest"),
        ("tests/unit/test_a.py", "tests.ui.printed_pages"),
        ("tests/unit/test_a.py", "tests.unit.test_b"),
    ]


# The server's catalog and its role statements are db/team_catalog.py's (and the register's
# own rules db/team_security.py's): ropa/ says what it needs of them, never the SQL (nor,
# of course, ui/).  A
# string that names a catalog relation or function, or that begins a role statement, is SQL
# of that kind; a sentence that advises the IT team to run one ("grant it to this login
# (GRANT ...)") is words, and docstrings are prose.
_CATALOG_NAMES = re.compile(
    r"\b(?:pg_(?:roles|authid|auth_members|database|class|proc|depend|namespace|tables"
    r"|has_role|get_userbyid)|to_regnamespace)\b"
)
_ROLE_STATEMENT = re.compile(
    r"^\s*(?:GRANT|REVOKE|(?:CREATE|ALTER|DROP)\s+ROLE|SET\s+(?:LOCAL\s+)?ROLE|RESET\s+ROLE)\b"
)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string in `tree` but docstrings; an f-string whole, with {}
    where a value goes."""
    skipped = _docstrings(tree)
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
            text = "".join(
                str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            texts.append((node.lineno, text))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
        ):
            texts.append((node.lineno, node.value))
    return texts


def catalog_sql_in(folder: Path) -> list[tuple[str, int, str]]:
    """(file, line, text) of every string under `folder` that is catalog or role SQL."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _string_literals(tree):
            if _CATALOG_NAMES.search(text) or _ROLE_STATEMENT.match(text):
                found.append((str(path.relative_to(folder.parent)), line, text[:60]))
    return sorted(found)


@pytest.mark.parametrize("folder", ["ropa", "ui"])
def test_no_catalog_or_role_sql_above_db(folder: str) -> None:
    assert catalog_sql_in(ROOT / folder) == []


def test_the_catalog_sql_check_finds_what_it_must(tmp_path: Path) -> None:
    package = tmp_path / "ropa"
    package.mkdir()
    (package / "team.py").write_text(
        '"""Reads pg_roles through db/team_catalog.py."""\n'
        "def members(driver, owner, login, name):\n"
        '    """Who is in pg_auth_members (a docstring: prose)."""\n'
        '    driver.execute("SELECT m.rolname FROM pg_auth_members a "\n'
        '                   "JOIN pg_roles m ON m.oid = a.member")\n'
        '    driver.execute(f"GRANT {owner} TO {login}")\n'
        "    driver.execute(\n"
        '        f"REVOKE ADMIN OPTION FOR {owner} FROM {login}")\n'
        '    driver.execute(f"CREATE ROLE {name} NOLOGIN")\n'
        "    driver.execute(f\"SELECT to_regnamespace('ropa_team')\")\n"
        '    return (f"{login} may not act as {owner}: ask the IT team to grant it "\n'
        '            f"(GRANT {owner} TO {login}) or to run ALTER ROLE {owner} NOLOGIN; "\n'
        '            "look at pg_stat_activity")\n',
        encoding="utf-8",
    )
    assert [(file, line) for file, line, _text in catalog_sql_in(package)] == [
        ("ropa/team.py", 4),
        ("ropa/team.py", 6),
        ("ropa/team.py", 8),
        ("ropa/team.py", 9),
        ("ropa/team.py", 10),
    ]
