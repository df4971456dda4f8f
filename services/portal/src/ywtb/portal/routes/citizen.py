"""The citizen pages."""

from __future__ import annotations

from fastapi import APIRouter


def build_citizen_router() -> APIRouter:
    """The citizen pages."""
    router = APIRouter()
    return router
