"""Texts of the admin pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
