"""ROPA desk's entry point: `python main.py` and the installed `ropa` command are the same.

This is the composition root, the one module allowed to join the Qt-free domain (ropa/) to
the desktop layer (ui/): it hands the command line the Qt-based writers (PDF) it cannot
import itself.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ropa import cli


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
