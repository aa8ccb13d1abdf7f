"""ROPA desk's domain: the register's services, import/export, notices, checks and the CLI.

Nothing here imports Qt; the desktop app in ui/ is a thin layer over these services.
"""

__version__ = "0.1.0"
