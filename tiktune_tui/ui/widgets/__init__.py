"""Widgets of the main screen, each in its own module."""
