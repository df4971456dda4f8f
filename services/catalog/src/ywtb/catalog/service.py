"""The catalog service: its use cases, one file each; each public method is one transaction.

Implementation items move draft → submitted → (returned → submitted …) → approved → published;
publishing writes a new immutable version, and a later edit starts a new draft from it while the
published version stays live. Withdraw takes the live version away from citizens.
"""

from __future__ import annotations

from ywtb.catalog.bundle_admin import Bundles
from ywtb.catalog.editing import Editing
from ywtb.catalog.releases import ReleaseOutcome, Releases
from ywtb.catalog.review import Review

__all__ = ["CatalogService", "ReleaseOutcome"]


class CatalogService(Releases, Editing, Review, Bundles):
    """Basic catalogue, implementation lists, versions, bundles."""
