"""The PySide6 desktop app: a thin layer over the ropa services. No SQL, no business rules."""
