"""一件事 bundles: a tenant admin combines published items; reading a bundle with its merged materials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ywtb.catalog import authz
from ywtb.catalog.bundles import merge_materials
from ywtb.catalog.core import CatalogCore, invalid
from ywtb.catalog.guide import BUNDLE_PROCESS
from ywtb.catalog.models import Bundle, Item
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import AlreadyExists, NotFound
from ywtb.common.tenancy import lineage


class Bundles(CatalogCore):
    """一件事 bundles."""

    def create_bundle(
        self,
        principal: Principal,
        code: str,
        tenant: str,
        name: str,
        description: str,
        item_ids: Iterable[str],
        process: str = "",
    ) -> Bundle:
        """A 一件事 bundle of published items (tenant admin)."""
        code, name = code.strip(), name.strip()
        if not code or len(code) > 40:
            raise invalid("code", "请填写一件事编码（不超过40个字符）。", "code is required")
        if not name:
            raise invalid("name", "请填写一件事名称。", "name is required")
        ids = list(dict.fromkeys(item_ids))
        if len(ids) < 2:
            raise invalid("item_ids", "一件事应至少包含两个事项。", "at least two items")
        authz.require_reviewer(principal, tenant)
        with self.db.transaction() as session:
            if session.get(Bundle, code) is not None:
                raise AlreadyExists(f"一件事编码 {code} 已存在。", code="BUNDLE_EXISTS")
            for item_id in ids:
                item = session.get(Item, item_id)
                if item is None or not item.published_version:
                    raise invalid(
                        "item_ids", "一件事只能包含已发布的事项，请先发布后再组合。", "unpublished item"
                    )
                if item.tenant not in lineage(tenant):
                    raise invalid("item_ids", "一件事只能包含本地区或上级地区的事项。", "item out of tenant")
            bundle = Bundle(
                code=code,
                tenant=tenant,
                name=name,
                description=description.strip(),
                process=process.strip() or BUNDLE_PROCESS,
                item_ids=ids,
                created_at=self.now(),
                created_by=principal.subject,
            )
            session.add(bundle)
            return bundle

    def get_bundle(
        self, code: str
    ) -> tuple[Bundle, list[dict[str, Any]], list[tuple[dict, list[str]]], list[str]]:
        """The bundle, its items' live versions, the merged materials, the unavailable item ids."""
        with self.db.transaction() as session:
            bundle = session.get(Bundle, code)
            if bundle is None:
                raise NotFound(f"未找到一件事 {code}。", code="BUNDLE_NOT_FOUND")
        versions, unavailable = [], []
        for item_id in bundle.item_ids:
            try:
                versions.append(self.reads.guide(item_id))
            except NotFound:
                unavailable.append(item_id)
        materials = merge_materials([(v["item_id"], v["guide"]) for v in versions])
        return bundle, versions, materials, unavailable

    def list_bundles(self, tenant: str) -> list[Bundle]:
        """Bundles of a tenant."""
        with self.db.transaction() as session:
            return list(session.scalars(select(Bundle).where(Bundle.tenant == tenant).order_by(Bundle.code)))
