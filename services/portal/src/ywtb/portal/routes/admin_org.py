"""Departments (部门) and staff (工作人员) of a tenant: lists and create forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ywtb.common.codes import validate_credit_code
from ywtb.common.errors import InvalidArgument
from ywtb.portal.application_form import MOBILE
from ywtb.portal.gateway import GatewayError
from ywtb.portal.roles import DEPT_ADMIN_GRANTS, STAFF_ROLE_NAMES, TENANT_ADMIN_ROLES
from ywtb.portal.routes.admin_common import (
    admin_user,
    common,
    is_tenant_admin,
    tenant_choices,
    tenant_in_view,
)
from ywtb.portal.routes.shared import refusal_errors
from ywtb.portal.web import CurrentPage, Page

DEPARTMENT_FORM = "admin/department_new.html"
DEPARTMENT_FIELDS = ("credit_code", "name", "short_name")
STAFF_FIELDS = ("name", "username", "dept", "mobile")
CONFLICT_FIELDS = {"DEPARTMENT_EXISTS": "credit_code", "USERNAME_TAKEN": "username"}


def _departments(page: Page, tenant: str) -> list[dict[str, Any]]:
    return page.get("staff", f"/api/v1/tenants/{tenant}/departments")


def _department_values(form: dict[str, Any]) -> dict[str, str]:
    """The create-department form as typed (trimmed)."""
    return {name: str(form.get(name) or "").strip() for name in DEPARTMENT_FIELDS}


def _staff_values(form: dict[str, Any]) -> dict[str, Any]:
    """The create-staff form as typed: trimmed texts, the user name in lower case, the roles as a list."""
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in STAFF_FIELDS}
    values["initial_password"] = str(form.get("initial_password") or "")
    roles = form.get("roles") or []
    values["roles"] = [roles] if isinstance(roles, str) else list(roles)
    values["username"] = values["username"].lower()
    return values


def _department_errors(page: Page, values: dict[str, str]) -> dict[str, str]:
    """The create-department form's own checks (the identity service checks again)."""
    errors: dict[str, str] = {}
    try:
        values["credit_code"] = validate_credit_code(values["credit_code"])
    except InvalidArgument as invalid:
        errors.update(invalid.fields)
    if not values["name"]:
        errors["name"] = page.t("admin.dept.error.name")
    elif len(values["name"]) > 200:
        errors["name"] = page.t("admin.error.too_long", n=200)
    if len(values["short_name"]) > 100:
        errors["short_name"] = page.t("admin.error.too_long", n=100)
    return errors


def _staff_errors(page: Page, values: dict[str, Any]) -> dict[str, str]:
    """The create-staff form's own checks, in the form's order: required fields and simple formats."""
    errors: dict[str, str] = {}
    for name in ("name", "username", "dept", "roles", "mobile", "initial_password"):
        if not values[name]:
            errors[name] = page.t(f"admin.staff.error.{name}")
    if values["mobile"] and not MOBILE.match(values["mobile"]):
        errors["mobile"] = page.t("admin.staff.error.mobile_format")
    if values["initial_password"] and len(values["initial_password"]) < 8:
        errors["initial_password"] = page.t("admin.staff.error.password_short")
    return errors


def _errors(page: Page, error: GatewayError, conflict: str) -> dict[str, str]:
    """The gateway's field messages; a conflict on the form's key field (credit code, username) as its message."""
    if not error.fields and error.code == conflict:
        return {CONFLICT_FIELDS[conflict]: page.message(error)}
    return refusal_errors(page, error)


def _form_page(
    page: Page,
    user: dict[str, Any],
    template: str,
    code: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
    **extra: Any,
) -> HTMLResponse:
    """A create form of the tenant `code` with what was typed and the messages."""
    return page.render(
        template, status, tenant=code, values=values, errors=errors, **extra, **common(page, user)
    )


def build_admin_org_router() -> APIRouter:
    """/departments, /departments/new, /staff, /staff/new."""
    router = APIRouter()

    @router.get("/departments", response_class=HTMLResponse)
    def departments(page: CurrentPage, tenant: str = "") -> HTMLResponse:
        user = admin_user(page)
        code = tenant_in_view(user, tenant)
        rows = _departments(page, code)
        tenants = tenant_choices(page, user)
        return page.render(
            "admin/departments.html", departments=rows, tenant=code, tenants=tenants, **common(page, user)
        )

    @router.get("/departments/new", response_class=HTMLResponse)
    def new_department(page: CurrentPage, tenant: str = "") -> HTMLResponse:
        user = admin_user(page, TENANT_ADMIN_ROLES)
        draft = page.take_draft("staff")
        values = _department_values(draft.form) if draft else {}
        return _form_page(page, user, DEPARTMENT_FORM, tenant_in_view(user, tenant), values, {}, 200)

    @router.post("/departments/new", response_class=HTMLResponse)
    async def create_department(page: CurrentPage, tenant: str = "") -> Response:
        user = admin_user(page, TENANT_ADMIN_ROLES)
        code = tenant_in_view(user, tenant)
        form = await page.form()
        values = _department_values(form)
        errors = _department_errors(page, values)
        if errors:
            return _form_page(page, user, DEPARTMENT_FORM, code, values, errors, 422)
        try:
            await run_in_threadpool(page.post, "staff", f"/api/v1/tenants/{code}/departments", values)
        except GatewayError as error:
            return _form_page(
                page,
                user,
                DEPARTMENT_FORM,
                code,
                values,
                _errors(page, error, "DEPARTMENT_EXISTS"),
                error.status,
            )
        page.flash(page.t("admin.dept.created", name=values["name"]))
        return page.redirect(f"/admin/departments?tenant={code}")

    @router.get("/staff", response_class=HTMLResponse)
    def staff(page: CurrentPage, tenant: str = "", dept: str = "") -> HTMLResponse:
        user = admin_user(page)
        code = tenant_in_view(user, tenant)
        dept = dept if is_tenant_admin(user) else user.get("dept", "")
        depts = _departments(page, code)
        rows = page.get("staff", "/api/v1/staff", tenant=code, dept=dept)
        tenants = tenant_choices(page, user)
        return page.render(
            "admin/staff.html",
            members=rows,
            depts=depts,
            dept_names={d["credit_code"]: d["name"] for d in depts},
            tenant=code,
            tenants=tenants,
            values={"dept": dept, "tenant": code},
            **common(page, user),
        )

    def staff_form(
        page: Page,
        user: dict[str, Any],
        code: str,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> HTMLResponse:
        depts = _departments(page, code)
        if not is_tenant_admin(user):
            depts = [d for d in depts if d["credit_code"] == user.get("dept")]
        grantable = STAFF_ROLE_NAMES if is_tenant_admin(user) else DEPT_ADMIN_GRANTS
        if errors and values.get("initial_password"):  # a password is never sent back to the browser
            values = {**values, "initial_password": ""}
            errors = {
                **errors,
                "initial_password": errors.get("initial_password") or page.t("admin.staff.password_again"),
            }
        return _form_page(
            page, user, "admin/staff_new.html", code, values, errors, status, depts=depts, grantable=grantable
        )

    @router.get("/staff/new", response_class=HTMLResponse)
    def new_staff(page: CurrentPage, tenant: str = "", dept: str = "") -> HTMLResponse:
        user = admin_user(page)
        code = tenant_in_view(user, tenant)
        draft = page.take_draft("staff")
        values = _staff_values(draft.form) if draft else {"dept": dept or user.get("dept", ""), "roles": []}
        return staff_form(page, user, code, values, {}, 200)

    @router.post("/staff/new", response_class=HTMLResponse)
    async def create_staff(page: CurrentPage, tenant: str = "") -> Response:
        user = admin_user(page)
        code = tenant_in_view(user, tenant)
        values = _staff_values(await page.form())
        errors, status = _staff_errors(page, values), 422
        if not errors:
            try:
                await run_in_threadpool(page.post, "staff", "/api/v1/staff", values)
            except GatewayError as error:
                errors, status = _errors(page, error, "USERNAME_TAKEN"), error.status
            else:
                page.flash(page.t("admin.staff.created", name=values["name"], username=values["username"]))
                return page.redirect(f"/admin/staff?tenant={code}&dept={values['dept']}")
        return await run_in_threadpool(staff_form, page, user, code, values, errors, status)

    return router
