"""Catalog tables: basic catalogue and its releases, implementation items, versions, bundles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ywtb.common.db import TenantMixin
from ywtb.common.tables import service_metadata

metadata = service_metadata("catalog")
outbox, inbox = metadata.outbox, metadata.inbox


class Base(DeclarativeBase):
    """Declarative base of the catalog database."""

    metadata = metadata


class CatalogueRelease(Base):
    """One applied release (version) of the provincial basic catalogue."""

    __tablename__ = "catalogue_releases"
    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    entries: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_by: Mapped[str] = mapped_column(String(64))


class BasicItem(TenantMixin, Base):
    """A basic catalogue item (基本目录事项), owned by the province tenant."""

    __tablename__ = "basic_items"
    basic_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    item_type: Mapped[str] = mapped_column(String(2))
    exercise_levels: Mapped[list[int]] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))  # active suspended cancelled split merged
    catalogue_version: Mapped[str] = mapped_column(String(20))
    successors: Mapped[list[str]] = mapped_column(JSON, default=list)


class BasicChangeRecord(Base):
    """History: one change applied to a basic item by a release."""

    __tablename__ = "basic_item_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    catalogue_version: Mapped[str] = mapped_column(ForeignKey("catalogue_releases.version"), index=True)
    basic_code: Mapped[str] = mapped_column(String(12), index=True)
    change: Mapped[str] = mapped_column(String(10))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class Item(TenantMixin, Base):
    """An implementation item (实施清单事项): the working draft and pointers to its published versions."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("dept", "basic_code", name="uq_items_dept_basic_code"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dept: Mapped[str] = mapped_column(String(18), index=True)
    dept_name: Mapped[str] = mapped_column(String(200))
    basic_code: Mapped[str] = mapped_column(ForeignKey("basic_items.basic_code"), index=True)
    implementation_code: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    keywords: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer)
    published_version: Mapped[int] = mapped_column(Integer, default=0)  # live version, 0 = none
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))


class ItemVersion(TenantMixin, Base):
    """One published version of an item: written once, never updated."""

    __tablename__ = "item_versions"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    dept: Mapped[str] = mapped_column(String(18))
    dept_name: Mapped[str] = mapped_column(String(200))
    basic_code: Mapped[str] = mapped_column(String(12))
    item_type: Mapped[str] = mapped_column(String(2))
    implementation_code: Mapped[str] = mapped_column(String(36))
    process: Mapped[str] = mapped_column(String(100))
    keywords: Mapped[str] = mapped_column(Text, default="")
    guide: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(64))


class ItemAction(TenantMixin, Base):
    """Audit trail of an item: claim, edit, submit, return, approve, publish, withdraw."""

    __tablename__ = "item_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Bundle(TenantMixin, Base):
    """A 一件事 bundle of published items of several departments."""

    __tablename__ = "bundles"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    process: Mapped[str] = mapped_column(String(100))
    item_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
