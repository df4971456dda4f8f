"""The citizen pages: home, search, 一件事, 办事指南, online application, my cases, case detail and 补正,
my licences and licence verification, 我的缴费, 我的评价, 咨询投诉 and the published answers, rating a window
visit (一次一评)."""

from __future__ import annotations

from fastapi import APIRouter

from ywtb.portal.routes.citizen_apply import build_apply_router
from ywtb.portal.routes.citizen_bundle import build_bundle_apply_router
from ywtb.portal.routes.citizen_cases import build_cases_router
from ywtb.portal.routes.citizen_catalogue import build_catalogue_router
from ywtb.portal.routes.citizen_inquiries import build_inquiries_router
from ywtb.portal.routes.citizen_licences import build_licences_router
from ywtb.portal.routes.citizen_payments import build_payments_router
from ywtb.portal.routes.citizen_ratings import build_ratings_router
from ywtb.portal.routes.citizen_visits import build_visits_router


def build_citizen_router() -> APIRouter:
    """The citizen pages, mounted at "/"."""
    router = APIRouter()
    router.include_router(build_catalogue_router())
    router.include_router(build_apply_router())
    router.include_router(build_bundle_apply_router())
    router.include_router(build_cases_router())
    router.include_router(build_licences_router())
    router.include_router(build_payments_router())
    router.include_router(build_ratings_router())
    router.include_router(build_inquiries_router())
    router.include_router(build_visits_router())
    return router
