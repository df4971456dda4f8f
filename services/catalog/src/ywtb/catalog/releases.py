"""基本目录: applying the province's basic catalogue releases once, in version order; reading basic items."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ywtb.catalog import authz, basic
from ywtb.catalog.core import CatalogCore
from ywtb.catalog.models import BasicItem, CatalogueRelease, Item
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition, NotFound


@dataclass(frozen=True)
class ReleaseOutcome:
    """What ImportBasicCatalogue did."""

    applied: bool
    entries: int
    withdrawn_item_ids: list[str]


class Releases(CatalogCore):
    """The basic catalogue."""

    def apply_release(self, principal: Principal, release: basic.Release) -> ReleaseOutcome:
        """Apply a basic catalogue release once; retired items' live implementations are withdrawn."""
        authz.require_catalogue_keeper(principal, self.province_tenant)
        basic.validate_release(release)
        with self.db.transaction() as session:
            if session.get(CatalogueRelease, release.version) is not None:
                return ReleaseOutcome(False, 0, [])
            newest = max(
                session.scalars(select(CatalogueRelease.version)), key=basic.version_key, default=None
            )
            if newest and basic.version_key(release.version) < basic.version_key(newest):
                raise FailedPrecondition(
                    f"目录版本 {release.version} 早于已导入的 {newest}，请导入更新的版本。",
                    code="CATALOGUE_VERSION_OUTDATED",
                )
            session.add(
                CatalogueRelease(
                    version=release.version,
                    description=release.description,
                    entries=len(release.entries),
                    applied_at=self.now(),
                    applied_by=principal.subject,
                )
            )
            session.flush()
            applied = basic.Applied()
            for i, entry in enumerate(release.entries):
                basic.apply_change(session, i, entry, release.version, self.province_tenant, applied)
            withdrawn: list[str] = []
            if applied.retired:
                live = session.scalars(
                    select(Item).where(Item.basic_code.in_(applied.retired), Item.published_version > 0)
                )
                for item in live:
                    reason = f"基本目录 {release.version} 版已取消、拆分或合并事项 {item.basic_code}"
                    self.withdraw_live(session, item, principal, reason)
                    withdrawn.append(item.id)
        self.reads.refresh_now(withdrawn)
        return ReleaseOutcome(True, len(release.entries), withdrawn)

    def get_basic_item(self, basic_code: str) -> BasicItem:
        """One basic item."""
        with self.db.transaction() as session:
            item = session.get(BasicItem, basic_code)
            if item is None:
                raise NotFound(f"基本目录中没有编码为 {basic_code} 的事项。", code="BASIC_ITEM_NOT_FOUND")
            return item

    def list_basic_items(self, claimable_only: bool = False) -> list[BasicItem]:
        """Basic items by code."""
        with self.db.transaction() as session:
            query = select(BasicItem).order_by(BasicItem.basic_code)
            if claimable_only:
                query = query.where(BasicItem.status == basic.CLAIMABLE)
            return list(session.scalars(query))
