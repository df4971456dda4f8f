"""审核 and 发布: the tenant admin returns, approves, publishes (a new immutable version) and withdraws items."""

from __future__ import annotations

from ywtb.catalog import authz, rules
from ywtb.catalog.core import CatalogCore, require_reason
from ywtb.catalog.events import item_published, publish
from ywtb.catalog.guide import guide_dict, parse_guide, process_of
from ywtb.catalog.models import Item, ItemVersion
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition


class Review(CatalogCore):
    """Review, publication and withdrawal."""

    def return_item(self, principal: Principal, item_id: str, reason: str) -> Item:
        """退回: back to the department with a mandatory reason."""
        reason = require_reason(reason, "退回")
        with self.db.transaction() as session:
            item = self.locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status not in ("submitted", "approved"):
                raise FailedPrecondition(
                    "只有已上报待审核或待发布的事项可以退回。", code="ITEM_NOT_SUBMITTED"
                )
            item.status, item.return_reason = "returned", reason
            self.touch(session, item, principal, "return", reason)
            return item

    def approve(self, principal: Principal, item_id: str) -> Item:
        """审核通过."""
        with self.db.transaction() as session:
            item = self.locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status != "submitted":
                raise FailedPrecondition("只有已上报待审核的事项可以审核通过。", code="ITEM_NOT_SUBMITTED")
            item.status = "approved"
            self.touch(session, item, principal, "approve")
            return item

    def publish(self, principal: Principal, item_id: str) -> tuple[Item, ItemVersion]:
        """发布: the approved draft becomes a new immutable version and goes live."""
        with self.db.transaction() as session:
            item = self.locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status != "approved":
                raise FailedPrecondition("只有审核通过的事项可以发布。", code="ITEM_NOT_APPROVED")
            source = self.require_in_force(session, item)
            guide = parse_guide(item.draft)
            rules.require_valid(guide)
            now = self.now()
            version = ItemVersion(
                item_id=item.id,
                version=item.latest_version + 1,
                tenant=item.tenant,
                dept=item.dept,
                dept_name=item.dept_name,
                basic_code=item.basic_code,
                item_type=source.item_type,
                implementation_code=item.implementation_code,
                process=process_of(guide),
                keywords=item.keywords,
                guide=guide_dict(guide),
                published_at=now,
                published_by=principal.subject,
            )
            session.add(version)
            item.latest_version = item.published_version = version.version
            item.status, item.return_reason = "published", ""
            self.touch(session, item, principal, "publish")
            publish(session, item_published(item, version, guide), key=item.id, tenant=item.tenant)
        self.reads.refresh_now([item_id])
        return item, version

    def withdraw(self, principal: Principal, item_id: str, reason: str) -> Item:
        """撤回: citizens no longer see the item; its versions stay readable by number."""
        reason = require_reason(reason, "撤回")
        with self.db.transaction() as session:
            item = self.locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if not item.published_version:
                raise FailedPrecondition("该事项当前没有已发布的版本，无需撤回。", code="ITEM_NOT_PUBLISHED")
            self.withdraw_live(session, item, principal, reason)
        self.reads.refresh_now([item_id])
        return item
