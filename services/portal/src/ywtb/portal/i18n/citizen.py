"""Texts of the citizen pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
