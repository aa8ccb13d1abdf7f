"""Run part of a test as root would not: without root's power to read and write any file.

The tests of permissions (a read-only folder, an unreadable register) mean nothing to root,
which the kernel lets past every file's permission bits, and CI runs as root. Rather than
skip them there, `without_root_powers` drops, for the calling thread alone, the two
capabilities behind that power (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH; capabilities(7)), so
root meets the permission bits as the files' owner does, and gives them back afterwards. As
any other user, it does nothing: the bits apply already.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator

_CAPABILITY_VERSION_3 = 0x20080522
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


class _Header(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _Data(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def _call(name: str, header: _Header, data: ctypes.Array[_Data]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(ctypes.byref(header), data) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{name}: {os.strerror(error)}")


def is_root() -> bool:
    return sys.platform != "win32" and os.geteuid() == 0


@contextlib.contextmanager
def without_root_powers() -> Iterator[None]:
    if not (is_root() and sys.platform.startswith("linux")):
        yield
        return
    header = _Header(_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    _call("capget", header, data)
    kept = [_Data(d.effective, d.permitted, d.inheritable) for d in data]
    data[0].effective &= ~((1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH))
    _call("capset", header, data)
    try:
        yield
    finally:
        for index, saved in enumerate(kept):
            data[index] = saved
        _call("capset", _Header(_CAPABILITY_VERSION_3, 0), data)
