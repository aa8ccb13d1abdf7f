"""Writing output files safely: to a temporary file beside the target, then replace.

A target that is open in Excel or Word (locked), or a folder the user may not write to, gives
a FileWriteError in plain words, and the existing file (if any) is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ropa.errors import FileWriteError


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Call `write(temporary_path)`, then move the result over `target` in one step."""
    target = Path(target)
    folder = target.parent
    if not folder.is_dir():
        raise FileWriteError(
            f"Cannot write {target}: the folder {folder} does not exist. Choose a folder "
            "that exists."
        )
    try:
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{target.stem}-", suffix=target.suffix, dir=folder
        )
    except OSError as error:
        raise FileWriteError(
            f"Cannot write {target}: you may not create files in {folder} "
            f"({error.strerror or error}). Choose another folder."
        ) from error
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        try:
            write(temporary)
            # mkstemp makes the file private (0600); an output should get the permissions
            # any new file gets here, or keep those of the file it replaces.
            temporary.chmod(_mode_for(target))
        except OSError as error:
            raise FileWriteError(
                f"Cannot write {target}: {error.strerror or error}. Nothing was changed."
            ) from error
        try:
            temporary.replace(target)
        except PermissionError as error:
            raise FileWriteError(
                f"Cannot replace {target}: it is open in another program or read-only. Close "
                "it (for example in Excel or Word) and try again; the old file is unchanged."
            ) from error
        except OSError as error:
            raise FileWriteError(f"Cannot write {target}: {error.strerror or error}.") from error
    finally:
        # Whatever went wrong (a failed write, a cancelled export), leave no litter.
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomically(target: Path, text: str) -> None:
    write_atomically(target, lambda path: path.write_text(text, encoding="utf-8", newline=""))


def write_bytes_atomically(target: Path, data: bytes) -> None:
    write_atomically(target, lambda path: path.write_bytes(data))
