"""Small reusable widgets of the desktop app."""
