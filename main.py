"""ROPA desk: `python main.py` does what the installed `ropa` command does."""

import sys

from ropa.cli import main

if __name__ == "__main__":
    sys.exit(main())
