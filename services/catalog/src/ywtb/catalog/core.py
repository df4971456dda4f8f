"""What every catalog use case shares: the service's parts, item reads and locks, revisions, withdrawal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.catalog import basic, codes
from ywtb.catalog.events import item_withdrawn, publish
from ywtb.catalog.models import BasicItem, Item, ItemAction
from ywtb.catalog.reads import GuideReads
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database, is_postgres
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound

EDITABLE = frozenset({"draft", "returned", "published", "withdrawn"})


def invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    """InvalidArgument naming one field."""
    return InvalidArgument(message, message_en=message_en, fields={field: message})


def require_reason(reason: str, label: str) -> str:
    """A reason of 2 to 1000 characters (退回, 撤回)."""
    reason = reason.strip()
    if len(reason) < 2 or len(reason) > 1000:
        raise invalid("reason", f"请填写{label}原因（2至1000字），以便部门据此修改。", "a reason is required")
    return reason


class CatalogCore(Clocked):
    """The database, the guide reads (cache and search index), the province, the code pattern and the clock."""

    def __init__(
        self,
        db: Database,
        reads: GuideReads,
        *,
        province_tenant: str,
        code_pattern: str,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.clock = clock
        self.reads = reads
        self.province_tenant = province_tenant
        self.code_pattern = codes.check_pattern(code_pattern)

    def item(self, session: Session, item_id: str) -> Item:
        """The item; NotFound when there is none."""
        item = session.get(Item, item_id)
        if item is None:
            raise NotFound("未找到该事项，请核对事项编号。", code="ITEM_NOT_FOUND")
        return item

    def locked(self, session: Session, item_id: str) -> Item:
        """The item, locked for this transaction on PostgreSQL."""
        if is_postgres(self.db.engine):
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise NotFound("未找到该事项，请核对事项编号。", code="ITEM_NOT_FOUND")
            return item
        return self.item(session, item_id)

    def require_in_force(self, session: Session, item: Item) -> BasicItem:
        """The basic item it implements; FailedPrecondition when the catalogue retired it."""
        source = session.get(BasicItem, item.basic_code)
        if source is None or source.status in basic.RETIRED:
            raise FailedPrecondition(
                f"基本目录已取消、拆分或合并事项 {item.basic_code}，不能再上报或发布；请认领新的基本目录事项。",
                code="BASIC_ITEM_RETIRED",
            )
        return source

    def touch(
        self, session: Session, item: Item, principal: Principal, action: str, reason: str = ""
    ) -> None:
        """A new revision of the item by the principal, recorded."""
        item.revision += 1
        item.updated_at = self.now()
        item.updated_by = principal.subject
        self.record(session, item, principal, action, reason)

    def record(
        self, session: Session, item: Item, principal: Principal, action: str, reason: str = ""
    ) -> None:
        """The item's action log row."""
        session.add(
            ItemAction(
                item_id=item.id,
                tenant=item.tenant,
                action=action,
                actor=principal.subject,
                reason=reason,
                revision=item.revision,
                at=self.now(),
            )
        )

    def withdraw_live(self, session: Session, item: Item, principal: Principal, reason: str) -> None:
        """Take the live version away and stage item.withdrawn (in the caller's transaction)."""
        live = item.published_version
        item.published_version = 0
        if item.status == "published":
            item.status = "withdrawn"
        self.touch(session, item, principal, "withdraw", reason)
        publish(session, item_withdrawn(item, live, reason, self.now()), key=item.id, tenant=item.tenant)
