"""The admin pages."""

from __future__ import annotations

from fastapi import APIRouter


def build_admin_router() -> APIRouter:
    """The admin pages."""
    router = APIRouter()
    return router
