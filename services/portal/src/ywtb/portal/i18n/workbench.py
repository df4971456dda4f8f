"""Texts of the workbench pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
