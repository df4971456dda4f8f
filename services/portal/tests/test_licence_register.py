"""发证台账's form helpers (searches kept, typed values, changed fields, the gateway's field names) and the
name of a downloaded W3C credential."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import unquote

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.citizen_licences import credential_download, credential_file_name
from ywtb.portal.routes.shared import attachment, refusal_errors
from ywtb.portal.routes.workbench_licences import Search, _renamer, changed_values, form_key, typed_values

LICENCE = "1.2.156.3005.2.11510104MB3234567001.11510104MB3234567.000001.001.Y"


def test_a_search_is_kept_only_as_far_as_it_is_valid() -> None:
    assert Search.of("  9151  ", "LICENCE_STATUS_REVOKED", "50") == Search(
        "9151", "LICENCE_STATUS_REVOKED", 50
    )
    assert Search.of("x" * 80, "DROP", "-1") == Search("x" * 64, "", 0)
    assert Search.of(None, ["LICENCE_STATUS_VALID"], None) == Search()
    assert Search.of("张", "", "999999").offset == 100000
    assert Search().url() == "/workbench/licences"
    assert (
        unquote(Search("张三", "LICENCE_STATUS_VALID").url())
        == "/workbench/licences?q=张三&status=LICENCE_STATUS_VALID"
    )


def test_typed_values_land_on_the_licence_forms_inputs() -> None:
    key = form_key(LICENCE)
    assert "." not in key
    revocation = typed_values({"kind": "REVOKE_KIND_OTHER", "reason": "错", "q": "x"}, LICENCE, "revocation")
    assert revocation == {f"revoke_kind-{key}": "REVOKE_KIND_OTHER", f"reason-{key}": "错"}
    versions = typed_values(
        {"kind": "", "field.business_scope": "零售", "licence_no": "1"}, LICENCE, "versions"
    )
    assert versions == {f"reissue_kind-{key}": "", f"field-{key}-business_scope": "零售"}


def test_a_new_version_names_only_the_fields_that_change() -> None:
    current = {"business_scope": "日用百货零售", "trade_name": "张三百货"}
    form = {
        "kind": "REISSUE_KIND_CHANGE",
        "field.business_scope": " 日用百货零售、文具 ",
        "field.trade_name": "张三百货",
    }
    assert changed_values(form, current) == {"business_scope": "日用百货零售、文具"}
    assert changed_values({"field.trade_name": "张三百货"}, current) == {}
    assert changed_values({"field.trade_name": ""}, current) == {"trade_name": ""}  # cleared on purpose


def test_the_gateways_field_messages_land_on_the_licence_forms() -> None:
    page = SimpleNamespace(message=lambda error: error.message)
    key = form_key(LICENCE)
    short = GatewayError(422, "INVALID_ARGUMENT", "请检查", fields={"reason": "长度不能少于 2 个字符"})
    names = {"kind": "revoke_kind", "reason": "reason"}
    assert refusal_errors(page, short, _renamer(LICENCE, names)) == {f"reason-{key}": "长度不能少于 2 个字符"}
    values = GatewayError(
        422, "LICENCE_REISSUE_INVALID", "请填写", fields={"values": "变更须填写至少一项证照字段。"}
    )
    assert refusal_errors(page, values, _renamer(LICENCE, {"kind": "reissue_kind"})) == {
        f"values-{key}": "变更须填写至少一项证照字段。"
    }
    stale = GatewayError(409, "LICENCE_NOT_CURRENT", "该证照已注销或已有新版本")
    assert refusal_errors(page, stale, _renamer(LICENCE, {})) == {"_form": "该证照已注销或已有新版本"}


def test_a_credential_downloads_under_its_licence_name_and_number() -> None:
    credential = {
        "credentialSubject": {"licenceTypeName": "营业执照", "licenceNumber": "92510104MA6CXQ0R0X"},
        "proof": {"cryptosuite": "eddsa-rdfc-2022"},
    }
    assert credential_file_name(credential) == "营业执照-92510104MA6CXQ0R0X.vc.json"
    assert credential_file_name({"credentialSubject": [{}]}) == "licence.vc.json"
    reply = credential_download(credential)
    assert reply.media_type == "application/vc"
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="____-92510104MA6CXQ0R0X.vc.json"')
    assert unquote(disposition.split("UTF-8''")[1]) == "营业执照-92510104MA6CXQ0R0X.vc.json"
    assert '"cryptosuite": "eddsa-rdfc-2022"' in reply.body.decode()


def test_a_download_name_cannot_leave_its_folder_or_break_the_header() -> None:
    header = attachment('../a"b\r\n.json')
    assert "\r" not in header and "\n" not in header and "/" not in header.split(";")[1]
    assert header.startswith('attachment; filename=".._a_b__.json"')
    assert attachment("") == "attachment; filename=\"download\"; filename*=UTF-8''download"
