"""A new register is a copy of the empty register the migrations made once in this process
(db.schema.empty_register_image, ropa.storage.opener.new_register_file): the same schema and
rows as migrating the file itself, the migrations run once however many registers are made,
and a disk that fills while the copy is written says so as before."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import db.schema
from db.engine import make_engine
from db.schema import empty_register_image, head_revision, upgrade_to_head
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.errors import storage_problem
from ropa.register import Register, new_register_file
from tests.helpers.activities import sample_activity
from tests.helpers.cli import run_ropa
from tests.helpers.disk import fill_disk


@pytest.fixture
def image_not_yet_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that has made no register yet (the image this process already built
    is put back afterwards)."""
    monkeypatch.setattr(db.schema, "_image", None)


@pytest.fixture
def migration_runs(monkeypatch: pytest.MonkeyPatch) -> list[Engine]:
    """Every run of the migrations from now on, recorded (and run for real)."""
    runs: list[Engine] = []

    def counted(engine: Engine) -> None:
        runs.append(engine)
        upgrade_to_head(engine)

    monkeypatch.setattr(db.schema, "upgrade_to_head", counted)
    return runs


def _migrated_directly(path: Path) -> Path:
    """An empty file migrated by Alembic, as every new register was before."""
    engine = make_engine(path, options=SQLITE_IN_PROCESS)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    return path


def _made_by_new_register_file(path: Path, options: StorageOptions = SQLITE_IN_PROCESS) -> Path:
    with new_register_file(path, ".new", options=options):
        pass
    return path


def _contents(path: Path) -> dict[str, Any]:
    """Everything a register file holds that the schema decides: its schema objects, every
    table's rows, its pragmas and Alembic's revision; and its number, apart."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        tables = [name for kind, name, _table, _sql in schema if kind == "table"]
        rows = {
            table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"')))
            for table in tables
        }
        return {
            "schema": schema,
            "rows": rows,
            "user_version": connection.execute("PRAGMA user_version").fetchone()[0],
            "alembic_version": connection.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchall(),
            "integrity": connection.execute("PRAGMA integrity_check").fetchone()[0],
            "number": connection.execute("PRAGMA application_id").fetchone()[0],
        }
    finally:
        connection.close()


def test_a_new_register_holds_exactly_what_migrating_an_empty_file_makes(
    tmp_path: Path, image_not_yet_built: None, migration_runs: list[Engine]
) -> None:
    migrated = _contents(_migrated_directly(tmp_path / "alembic.ropa"))
    first = _contents(_made_by_new_register_file(tmp_path / "first.ropa"))
    second = _contents(_made_by_new_register_file(tmp_path / "second.ropa"))

    # The first built the image (one run of the migrations); the second came from memory.
    assert len(migration_runs) == 1
    assert migrated["alembic_version"] == [(head_revision(),)]
    assert len(migrated["schema"]) > 30  # every table and index of the register
    assert migrated["number"] == 0  # Alembic does not number a register
    for made in (first, second):
        assert {key: made[key] for key in migrated if key != "number"} == {
            key: migrated[key] for key in migrated if key != "number"
        }
        assert made["integrity"] == "ok"
        assert made["number"] != 0
    # Only the register's number may differ, and it must: a copy is another register.
    assert first["number"] != second["number"]


def test_the_migrations_run_once_however_many_registers_are_made_and_from_how_many_threads(
    tmp_path: Path, image_not_yet_built: None, migration_runs: list[Engine]
) -> None:
    """The app's background threads may make registers at once: the first build is shared."""
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def make(index: int) -> None:
        try:
            start.wait()
            _made_by_new_register_file(tmp_path / f"thread-{index}.ropa")
        except BaseException as error:  # reported by the test below, not lost in a thread
            failures.append(error)

    threads = [threading.Thread(target=make, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(2):
        _made_by_new_register_file(tmp_path / f"later-{index}.ropa")

    assert failures == []
    assert len(migration_runs) == 1
    made = sorted(tmp_path.glob("*.ropa"))
    assert len(made) == 6
    numbers = set()
    for path in made:
        contents = _contents(path)
        assert contents["alembic_version"] == [(head_revision(),)]
        assert contents["integrity"] == "ok"
        numbers.add(contents["number"])
    assert len(numbers) == 6


DATA = Path(__file__).resolve().parents[1] / "data"


def test_older_registers_upgraded_while_a_new_one_is_made_on_other_threads_all_come_out_whole(
    tmp_path: Path, image_not_yet_built: None
) -> None:
    """Alembic keeps the migration under way in module-level state: without one lock over
    every migration in the process, threads migrating at once failed (KeyError: 'config',
    "another row available" from one file's operations run on another's connection)."""
    source = DATA / "register-schema-0004.ropa"
    expected = _references(source)
    assert expected  # the old register holds activities to keep
    old_registers = [tmp_path / f"old-{index}.ropa" for index in range(4)]
    for path in old_registers:
        shutil.copyfile(source, path)
    new = tmp_path / "new.ropa"
    start = threading.Barrier(5)
    failures: list[BaseException] = []

    def open_at_once(path: Path) -> None:
        try:
            start.wait()
            Register.open(path, daily_backup=False).close()
        except BaseException as error:  # reported by the test below, not lost in a thread
            failures.append(error)

    threads = [threading.Thread(target=open_at_once, args=(p,)) for p in [*old_registers, new]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    for path in [*old_registers, new]:
        contents = _contents(path)
        assert contents["alembic_version"] == [(head_revision(),)]
        assert contents["integrity"] == "ok"
    for path in old_registers:
        assert _references(path) == expected
    assert _references(new) == []


def _references(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT reference FROM activities ORDER BY 1")]
    finally:
        connection.close()


def test_the_image_does_not_depend_on_when_or_where_it_was_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, image_not_yet_built: None
) -> None:
    """Builds in other temporary folders at other moments hold the same schema and rows:
    nothing in the migrations depends on the time or the file (which is what makes keeping
    the image for the whole process safe). Their bytes may differ in one way, which each
    file migrated afresh had too: Alembic re-creates the activities' indexes in the order of
    a set, so two of them may sit on each other's root pages."""
    builds: list[bytes] = []
    for _ in range(4):
        monkeypatch.setattr(db.schema, "_image", None)
        builds.append(empty_register_image())
    files = []
    for index, image in enumerate(builds):
        files.append(tmp_path / f"image-{index}.ropa")
        files[-1].write_bytes(image)
    first = _contents(files[0])
    assert first["alembic_version"] == [(head_revision(),)]
    assert all(_contents(path) == first for path in files[1:])
    assert {len(image) for image in builds} == {len(builds[0])}
    for image in builds:
        assert image.startswith(b"SQLite format 3\x00")
        assert image[18:20] == b"\x01\x01"  # rollback journal, as the desktop keeps registers


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_register_with_sqlite_apart_is_private_opens_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "apart.ropa"
    apart = StorageOptions(sqlite_apart=True)
    with Register.open(path, options=apart, daily_backup=False) as register:
        created = register.activities.create(sample_activity(name="Made apart"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apart.ropa"]
    with Register.open(path, options=apart, daily_backup=False) as register:
        assert register.activities.get(created.id or 0).name == "Made apart"
    assert _contents(path)["integrity"] == "ok"


def _leave_room(folder: Path, room: int) -> None:
    """Fill the disk at `folder`, then give back `room` bytes."""
    fill_disk(folder)
    (folder / "filler-2").unlink()
    filler = folder / "filler"
    os.truncate(filler, filler.stat().st_size - room)


def test_a_disk_that_fills_while_the_schema_is_written_is_called_full_and_left_clean(
    full_disk: Path,
) -> None:
    image = empty_register_image()  # built in memory
    _leave_room(full_disk, len(image) // 3)
    path = full_disk / "register.ropa"

    with pytest.raises(OSError) as raised:
        Register.open(path, daily_backup=False)

    assert raised.value.errno == errno.ENOSPC
    problem = storage_problem(raised.value, path, saving=False)
    assert problem is not None
    assert f"The disk holding {path} is full" in str(problem)
    assert "not damaged" in str(problem)
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
    # The command line says so in the same words as when the migrations ran on the file.
    demo = run_ropa("demo", str(full_disk / "example.ropa"))
    assert demo.returncode == 1
    assert f"The disk holding {full_disk / 'example.ropa'} is full" in demo.stderr
    assert "Traceback" not in demo.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_a_full_temporary_folder_does_not_stop_a_register_being_made(
    full_disk: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    image_not_yet_built: None,
) -> None:
    """The image is made in memory: a full temporary folder (elsewhere than the register,
    which has room) neither stops the first register of the process nor is written to."""
    fill_disk(full_disk)
    monkeypatch.setattr("tempfile.tempdir", str(full_disk))
    target = tmp_path / "folder" / "register.ropa"

    with Register.open(target, daily_backup=False) as register:
        created = register.activities.create(sample_activity(name="Made"))
    assert created.id is not None
    assert db.schema._image is not None
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "filler-2"]
    with Register.open(target, daily_backup=False) as reopened:
        assert [s.name for s in reopened.activity_list.summaries()] == ["Made"]


def test_an_older_sqlite_without_serialize_gives_the_same_database(tmp_path: Path) -> None:
    """Some system SQLite libraries (before 3.36) have no serialize: the bytes then come
    through a copy, and hold the same database."""

    class WithoutSerialize:
        def __init__(self, connection: sqlite3.Connection) -> None:
            self.backup = connection.backup

    source = sqlite3.connect(":memory:")
    source.executescript("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('kept');")
    source.commit()
    copied = db.schema.database_bytes(WithoutSerialize(source))  # type: ignore[arg-type]
    for name, data in (("serialized", source.serialize()), ("copied", copied)):
        (tmp_path / name).write_bytes(data)
        with sqlite3.connect(tmp_path / name) as reread:
            assert reread.execute("SELECT a FROM t").fetchall() == [("kept",)], name
    source.close()
