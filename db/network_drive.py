"""Whether a register file lives on a network filesystem (a shared drive).

SQLite's write-ahead log keeps its index in shared memory, which only works when every
process using the file runs on one host; SQLite's own documentation says "WAL does not work
over a network filesystem". A register found on one is therefore opened with a rollback
journal (db/connection.py), and the app says why (the banner, the command line's note).

`network_location(path)` is the one question the rest of the program asks; tests replace it,
or feed the platform probes below a made-up mount table or Windows path.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

# Linux fstype names (the mount table's third-from-last field) of filesystems served by
# another machine.
NETWORK_FILESYSTEMS = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "fuse.sshfs",
        "sshfs",
        "fuse.rclone",
        "davfs",
        "fuse.davfs2",
        "lustre",
        "ncpfs",
        # macOS (statfs f_fstypename)
        "afpfs",
        "webdav",
    }
)

# GetDriveTypeW's answer for a network drive.
DRIVE_REMOTE = 4

MOUNTINFO = Path("/proc/self/mountinfo")


def network_location(path: Path) -> str:
    """Where `path` is, in words, when that is a network filesystem ("" when it is local),
    e.g. "a cifs network share mounted at /mnt/team"."""
    try:
        if sys.platform == "win32":
            return windows_network_location(PureWindowsPath(path.resolve()), _drive_type)
        if sys.platform == "darwin":
            return macos_network_location(*_statfs_type(_existing(path)))
        return linux_network_location(PurePosixPath(_existing(path)), MOUNTINFO.read_text())
    except OSError:
        # Cannot tell (no mount table, a sandbox): treat it as local, as before.
        return ""


def windows_network_location(path: PureWindowsPath, drive_type: Callable[[str], int]) -> str:
    """A UNC path (\\\\server\\share\\...) or a mapped drive whose type is DRIVE_REMOTE."""
    text = str(path)
    if text.upper().startswith("\\\\?\\UNC\\"):
        # The long-path form of \\server\share.
        path = PureWindowsPath("\\\\" + text[len("\\\\?\\UNC\\") :])
    elif text.startswith("\\\\?\\"):
        path = PureWindowsPath(text[len("\\\\?\\") :])
    drive = path.drive
    if drive.startswith("\\\\"):
        return f"the network share {drive}"
    if drive and drive_type(drive + "\\") == DRIVE_REMOTE:
        return f"the network drive {drive}"
    return ""


def linux_network_location(path: PurePosixPath, mountinfo: str) -> str:
    """The filesystem of the deepest mount holding `path`, from /proc/self/mountinfo's text."""
    best_point, best_type = "", ""
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        point = _unescape(fields[4])
        fstype = line.split(" - ", 1)[1].split()[0]
        if _holds(PurePosixPath(point), path) and len(point) >= len(best_point):
            best_point, best_type = point, fstype
    if best_type in NETWORK_FILESYSTEMS or best_type.startswith("nfs"):
        return f"a {best_type} network share mounted at {best_point}"
    return ""


def macos_network_location(fstype: str, mount_point: str, local: bool) -> str:
    """statfs's verdict: a filesystem not flagged MNT_LOCAL, or one of a network kind."""
    if fstype in NETWORK_FILESYSTEMS or not local:
        return f"a {fstype} network share mounted at {mount_point}"
    return ""


def _holds(mount_point: PurePosixPath, path: PurePosixPath) -> bool:
    return path == mount_point or mount_point in path.parents


def _unescape(field: str) -> str:
    """The mount table writes space, tab, newline and backslash as octal escapes (\\040)."""
    for code in ("040", "011", "012", "134"):
        field = field.replace("\\" + code, chr(int(code, 8)))
    return field


def _existing(path: Path) -> Path:
    """The path itself, or its nearest folder that exists (a register not yet created)."""
    resolved = path.resolve()
    while not resolved.exists() and resolved.parent != resolved:
        resolved = resolved.parent
    return resolved


def _drive_type(root: str) -> int:
    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return 0
    return int(windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


class _DarwinStatfs(ctypes.Structure):
    # struct statfs with 64-bit inodes (the only layout on Apple silicon; statfs$INODE64
    # on Intel).
    _fields_ = [
        ("f_bsize", ctypes.c_uint32),
        ("f_iosize", ctypes.c_int32),
        ("f_blocks", ctypes.c_uint64),
        ("f_bfree", ctypes.c_uint64),
        ("f_bavail", ctypes.c_uint64),
        ("f_files", ctypes.c_uint64),
        ("f_ffree", ctypes.c_uint64),
        ("f_fsid", ctypes.c_int32 * 2),
        ("f_owner", ctypes.c_uint32),
        ("f_type", ctypes.c_uint32),
        ("f_flags", ctypes.c_uint32),
        ("f_fssubtype", ctypes.c_uint32),
        ("f_fstypename", ctypes.c_char * 16),
        ("f_mntonname", ctypes.c_char * 1024),
        ("f_mntfromname", ctypes.c_char * 1024),
        ("f_flags_ext", ctypes.c_uint32),
        ("f_reserved", ctypes.c_uint32 * 7),
    ]


_MNT_LOCAL = 0x00001000


def _statfs_type(path: Path) -> tuple[str, str, bool]:
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        statfs = getattr(libc, "statfs$INODE64")
    except AttributeError:
        statfs = libc.statfs
    result = _DarwinStatfs()
    if statfs(os.fsencode(path), ctypes.byref(result)) != 0:
        raise OSError(ctypes.get_errno(), "statfs failed", str(path))
    return (
        result.f_fstypename.decode(errors="replace"),
        result.f_mntonname.decode(errors="replace"),
        bool(result.f_flags & _MNT_LOCAL),
    )
