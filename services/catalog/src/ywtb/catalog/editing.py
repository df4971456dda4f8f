"""实施清单 in the department: 认领 (claim), editing the guide draft, 上报 (submit) through the rules."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ywtb.catalog import authz, basic, codes, rules
from ywtb.catalog.core import EDITABLE, CatalogCore, invalid
from ywtb.catalog.guide import Guide, guide_dict, parse_guide
from ywtb.catalog.models import BasicItem, Item
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import validate_credit_code, validate_region_code
from ywtb.common.errors import AlreadyExists, Conflict, FailedPrecondition, NotFound


class Editing(CatalogCore):
    """A department's implementation items."""

    def claim(self, principal: Principal, tenant: str, dept: str, dept_name: str, basic_code: str) -> Item:
        """认领: the department starts a draft implementation of a basic item."""
        tenant = validate_region_code(tenant, "tenant")
        dept = validate_credit_code(dept, "dept")
        dept_name = dept_name.strip()
        if not dept_name or len(dept_name) > 200:
            raise invalid("dept_name", "请填写实施部门名称。", "dept_name is required")
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
            seq = 1 + (
                session.scalar(
                    select(func.count())
                    .select_from(Item)
                    .where(Item.tenant == tenant, Item.basic_code == basic_code)
                )
                or 0
            )
            now = self.now()
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
            self.record(session, item, principal, "claim")
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
            item = self.locked(session, item_id)
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
            self.touch(session, item, principal, "edit")
            return item

    def submit(self, principal: Principal, item_id: str) -> tuple[Item, dict[str, str]]:
        """上报: the rules run; the item waits for review. Returns the rules' warnings."""
        with self.db.transaction() as session:
            item = self.locked(session, item_id)
            authz.require_dept_editor(principal, item.tenant, item.dept)
            if item.status not in ("draft", "returned"):
                raise FailedPrecondition(
                    "只有草稿或被退回的事项可以上报；已发布的事项请先修改指南。", code="ITEM_NOT_DRAFT"
                )
            self.require_in_force(session, item)
            findings = rules.require_valid(parse_guide(item.draft))
            item.status = "submitted"
            self.touch(session, item, principal, "submit")
            return item, findings.warnings

    def get_item(self, principal: Principal, item_id: str) -> Item:
        """One item with its draft (staff of the department or tenant)."""
        with self.db.transaction() as session:
            item = self.item(session, item_id)
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
