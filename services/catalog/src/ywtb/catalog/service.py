"""Catalog use cases; each public method is one transaction.

Implementation items move draft → submitted → (returned → submitted …) → approved → published;
publishing writes a new immutable version, and a later edit starts a new draft from it while the
published version stays live. Withdraw takes the live version away from citizens.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.catalog import authz, basic, codes, rules
from ywtb.catalog.bundles import merge_materials
from ywtb.catalog.events import item_published, item_withdrawn, publish
from ywtb.catalog.guide import BUNDLE_PROCESS, Guide, guide_dict, parse_guide, process_of
from ywtb.catalog.models import BasicItem, Bundle, CatalogueRelease, Item, ItemAction, ItemVersion
from ywtb.catalog.reads import GuideReads
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import validate_credit_code, validate_region_code
from ywtb.common.db import Database, is_postgres
from ywtb.common.errors import (
    AlreadyExists,
    Conflict,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)

EDITABLE = frozenset({"draft", "returned", "published", "withdrawn"})


def _now() -> datetime:
    return datetime.now(UTC)


def _invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    return InvalidArgument(message, message_en=message_en, fields={field: message})


def _require_reason(reason: str, label: str) -> str:
    reason = reason.strip()
    if len(reason) < 2 or len(reason) > 1000:
        raise _invalid(
            "reason", f"请填写{label}原因（2至1000字），以便部门据此修改。", "a reason is required"
        )
    return reason


@dataclass(frozen=True)
class ReleaseOutcome:
    """What ImportBasicCatalogue did."""

    applied: bool
    entries: int
    withdrawn_item_ids: list[str]


class CatalogService:
    """Basic catalogue, implementation lists, versions, bundles."""

    def __init__(self, db: Database, reads: GuideReads, *, province_tenant: str, code_pattern: str) -> None:
        self.db = db
        self.reads = reads
        self.province_tenant = province_tenant
        self.code_pattern = codes.check_pattern(code_pattern)

    # 基本目录 basic catalogue

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
                    applied_at=_now(),
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
                    self._withdraw(session, item, principal, reason)
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

    # 实施清单 implementation items

    def claim(self, principal: Principal, tenant: str, dept: str, dept_name: str, basic_code: str) -> Item:
        """认领: the department starts a draft implementation of a basic item."""
        tenant = validate_region_code(tenant, "tenant")
        dept = validate_credit_code(dept, "dept")
        dept_name = dept_name.strip()
        if not dept_name or len(dept_name) > 200:
            raise _invalid("dept_name", "请填写实施部门名称。", "dept_name is required")
        authz.require_dept_editor(principal, tenant, dept)
        with self.db.transaction() as session:
            source = session.get(BasicItem, basic_code)
            if source is None:
                raise NotFound(f"基本目录中没有编码为 {basic_code} 的事项。", code="BASIC_ITEM_NOT_FOUND")
            if source.status != basic.CLAIMABLE:
                raise FailedPrecondition(
                    f"事项 {basic_code} 在基本目录中已暂停或取消，不能认领；请关注省级目录的最新版本。",
                    code="BASIC_ITEM_NOT_CLAIMABLE",
                )
            if session.scalar(select(Item.id).where(Item.dept == dept, Item.basic_code == basic_code)):
                raise AlreadyExists("本部门已认领该事项，请在实施清单中编辑。", code="ITEM_ALREADY_CLAIMED")
            seq = 1 + session.scalar(
                select(func.count())
                .select_from(Item)
                .where(Item.tenant == tenant, Item.basic_code == basic_code)
            )
            now = _now()
            draft = Guide(name=source.name, legal_basis=source.legal_basis)
            item = Item(
                id=str(uuid.uuid4()),
                tenant=tenant,
                dept=dept,
                dept_name=dept_name,
                basic_code=basic_code,
                implementation_code=codes.render(self.code_pattern, basic_code, tenant, dept, seq),
                status="draft",
                draft=guide_dict(draft),
                keywords="",
                revision=1,
                published_version=0,
                latest_version=0,
                return_reason="",
                created_at=now,
                updated_at=now,
                updated_by=principal.subject,
            )
            session.add(item)
            try:
                session.flush()
            except IntegrityError as exc:
                raise AlreadyExists(
                    "该事项已被认领或实施编码已被占用，请刷新实施清单后重试。", code="ITEM_ALREADY_CLAIMED"
                ) from exc
            self._record(session, item, principal, "claim")
            return item

    def update_guide(
        self,
        principal: Principal,
        item_id: str,
        guide: dict[str, Any],
        keywords: str = "",
        expected_revision: int = 0,
    ) -> Item:
        """Replace the draft's guide; editing a published item starts a new draft from it."""
        parsed = parse_guide(guide)
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_dept_editor(principal, item.tenant, item.dept)
            if item.status not in EDITABLE:
                raise FailedPrecondition(
                    "事项已上报或已审核通过，暂不能修改；如需修改请联系审核人员退回。", code="ITEM_LOCKED"
                )
            if expected_revision and expected_revision != item.revision:
                raise Conflict("该事项已被他人修改，请刷新后在最新内容上重新编辑。", code="REVISION_CONFLICT")
            item.draft = guide_dict(parsed)
            item.keywords = keywords.strip()[:500]
            item.status = "draft" if item.status != "returned" else "returned"
            self._touch(session, item, principal, "edit")
            return item

    def submit(self, principal: Principal, item_id: str) -> tuple[Item, dict[str, str]]:
        """上报: the rules run; the item waits for review. Returns the rules' warnings."""
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_dept_editor(principal, item.tenant, item.dept)
            if item.status not in ("draft", "returned"):
                raise FailedPrecondition(
                    "只有草稿或被退回的事项可以上报；已发布的事项请先修改指南。", code="ITEM_NOT_DRAFT"
                )
            self._require_in_force(session, item)
            findings = rules.require_valid(parse_guide(item.draft))
            item.status = "submitted"
            self._touch(session, item, principal, "submit")
            return item, findings.warnings

    def return_item(self, principal: Principal, item_id: str, reason: str) -> Item:
        """退回: back to the department with a mandatory reason."""
        reason = _require_reason(reason, "退回")
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status not in ("submitted", "approved"):
                raise FailedPrecondition(
                    "只有已上报待审核或待发布的事项可以退回。", code="ITEM_NOT_SUBMITTED"
                )
            item.status, item.return_reason = "returned", reason
            self._touch(session, item, principal, "return", reason)
            return item

    def approve(self, principal: Principal, item_id: str) -> Item:
        """审核通过."""
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status != "submitted":
                raise FailedPrecondition("只有已上报待审核的事项可以审核通过。", code="ITEM_NOT_SUBMITTED")
            item.status = "approved"
            self._touch(session, item, principal, "approve")
            return item

    def publish(self, principal: Principal, item_id: str) -> tuple[Item, ItemVersion]:
        """发布: the approved draft becomes a new immutable version and goes live."""
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if item.status != "approved":
                raise FailedPrecondition("只有审核通过的事项可以发布。", code="ITEM_NOT_APPROVED")
            source = self._require_in_force(session, item)
            guide = parse_guide(item.draft)
            rules.require_valid(guide)
            now = _now()
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
            self._touch(session, item, principal, "publish")
            publish(session, item_published(item, version, guide), key=item.id, tenant=item.tenant)
        self.reads.refresh_now([item_id])
        return item, version

    def withdraw(self, principal: Principal, item_id: str, reason: str) -> Item:
        """撤回: citizens no longer see the item; its versions stay readable by number."""
        reason = _require_reason(reason, "撤回")
        with self.db.transaction() as session:
            item = self._locked(session, item_id)
            authz.require_reviewer(principal, item.tenant)
            if not item.published_version:
                raise FailedPrecondition("该事项当前没有已发布的版本，无需撤回。", code="ITEM_NOT_PUBLISHED")
            self._withdraw(session, item, principal, reason)
        self.reads.refresh_now([item_id])
        return item

    def _withdraw(self, session: Session, item: Item, principal: Principal, reason: str) -> None:
        live = item.published_version
        item.published_version = 0
        if item.status == "published":
            item.status = "withdrawn"
        self._touch(session, item, principal, "withdraw", reason)
        publish(session, item_withdrawn(item, live, reason), key=item.id, tenant=item.tenant)

    def get_item(self, principal: Principal, item_id: str) -> Item:
        """One item with its draft (staff of the department or tenant)."""
        with self.db.transaction() as session:
            item = self._item(session, item_id)
            authz.require_staff_reader(principal, item.tenant, item.dept)
            return item

    def list_items(self, principal: Principal, tenant: str, dept: str = "", status: str = "") -> list[Item]:
        """Items of a tenant or one department, drafts included."""
        authz.require_staff_reader(principal, tenant, dept)
        with self.db.transaction() as session:
            query = select(Item).where(Item.tenant == tenant)
            if dept:
                query = query.where(Item.dept == dept)
            if status:
                query = query.where(Item.status == status)
            return list(session.scalars(query.order_by(Item.basic_code, Item.dept)))

    # 一件事 bundles

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
            raise _invalid("code", "请填写一件事编码（不超过40个字符）。", "code is required")
        if not name:
            raise _invalid("name", "请填写一件事名称。", "name is required")
        ids = list(dict.fromkeys(item_ids))
        if len(ids) < 2:
            raise _invalid("item_ids", "一件事应至少包含两个事项。", "at least two items")
        authz.require_reviewer(principal, tenant)
        with self.db.transaction() as session:
            if session.get(Bundle, code) is not None:
                raise AlreadyExists(f"一件事编码 {code} 已存在。", code="BUNDLE_EXISTS")
            for item_id in ids:
                item = session.get(Item, item_id)
                if item is None or not item.published_version:
                    raise _invalid(
                        "item_ids", "一件事只能包含已发布的事项，请先发布后再组合。", "unpublished item"
                    )
                if item.tenant not in authz.lineage(tenant):
                    raise _invalid("item_ids", "一件事只能包含本地区或上级地区的事项。", "item out of tenant")
            bundle = Bundle(
                code=code,
                tenant=tenant,
                name=name,
                description=description.strip(),
                process=process.strip() or BUNDLE_PROCESS,
                item_ids=ids,
                created_at=_now(),
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

    # helpers (inside the caller's transaction)

    def _item(self, session: Session, item_id: str) -> Item:
        item = session.get(Item, item_id)
        if item is None:
            raise NotFound("未找到该事项，请核对事项编号。", code="ITEM_NOT_FOUND")
        return item

    def _locked(self, session: Session, item_id: str) -> Item:
        if is_postgres(self.db.engine):
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise NotFound("未找到该事项，请核对事项编号。", code="ITEM_NOT_FOUND")
            return item
        return self._item(session, item_id)

    def _require_in_force(self, session: Session, item: Item) -> BasicItem:
        source = session.get(BasicItem, item.basic_code)
        if source is None or source.status in basic.RETIRED:
            raise FailedPrecondition(
                f"基本目录已取消、拆分或合并事项 {item.basic_code}，不能再上报或发布；请认领新的基本目录事项。",
                code="BASIC_ITEM_RETIRED",
            )
        return source

    def _touch(
        self, session: Session, item: Item, principal: Principal, action: str, reason: str = ""
    ) -> None:
        item.revision += 1
        item.updated_at = _now()
        item.updated_by = principal.subject
        self._record(session, item, principal, action, reason)

    @staticmethod
    def _record(session: Session, item: Item, principal: Principal, action: str, reason: str = "") -> None:
        session.add(
            ItemAction(
                item_id=item.id,
                tenant=item.tenant,
                action=action,
                actor=principal.subject,
                reason=reason,
                revision=item.revision,
                at=_now(),
            )
        )
