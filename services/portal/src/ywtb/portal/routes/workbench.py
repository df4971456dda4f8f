"""The workbench pages."""

from __future__ import annotations

from fastapi import APIRouter


def build_workbench_router() -> APIRouter:
    """The workbench pages."""
    router = APIRouter()
    return router
