"""The shipped sample catalogue (SAMPLE DATA): counts, guide rules, codes, departments and bundles.

Checks the YAML file on its own (pyyaml only), so a broken sample is caught before `make run`
or the service tests import it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from ywtb.common.codes import credit_code_valid, make_credit_code
from ywtb.identity.seed import DEPARTMENTS, TENANTS

SAMPLE = Path(__file__).parents[1] / "src" / "ywtb" / "catalog" / "data" / "sample_catalogue.yaml"

BASIC_CODE = re.compile(r"[0-9A-Z]{12}")
PREFIX17 = re.compile(r"[0-9A-HJ-NPQRTUWXY]{17}")
ITEM_TYPES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}
CHANGE_KINDS = {"add", "change", "split", "merge", "suspend", "cancel"}
UNITS = {"workday", "natural_day"}
SERVICE_OBJECTS = {"natural_person", "legal_person"}
RESULT_TYPES = {"licence", "approval_document", "other"}
MATERIAL_KINDS = {"original", "copy", "electronic"}
MATERIAL_SOURCES = {"applicant", "government"}
PROCESSES = {"instant": {"instant-default"}, "promised": {"promised-default", "joint-default"}}
TENANT_LEVEL = {"510000": 2, "510100": 3, "510104": 4}  # 成都市 is a city, 锦江区 a county
GUIDE_KEYS = {
    "name", "conditions", "legal_limit", "promised_limit", "case_type", "visits", "online_depth", "fees",
    "place", "hours", "consult_phone", "complaint_phone", "service_objects", "themes", "result", "faqs",
    "appointment", "express_delivery", "online_payment", "process", "materials", "form_schema",
}  # fmt: skip
OPTIONAL_GUIDE_KEYS = {
    "flow",
    "special_procedures",
    "min_real_name_level",
    "charge_point",
    "pay_before_licence",
}
MATERIAL_KEYS = {
    "name", "required", "may_be_missing", "kind", "source", "licence_type", "copies", "blank_form", "sample",
    "standard",
}  # fmt: skip
FEE_KEYS = {"name", "standard", "basis", "charged", "reductions"}
# A material named as a certificate (证照): ends in 证 / 证书 / 执照 / 许可证 / 证件 after qualifiers, not 证明.
_QUALIFIERS = re.compile(r"([（(].*?[）)]|副本|正本|原件|复印件|电子件)+$")
_CERTIFICATE = re.compile(r"(证|证书|执照|许可证|证件)$")
_JSON_TYPES = {"object", "string", "integer", "number", "boolean", "array", "null"}


def is_certificate(name: str) -> bool:
    core = _QUALIFIERS.sub("", name.strip())
    return bool(_CERTIFICATE.search(core)) and not core.endswith("证明")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def guide_problems(guide: dict[str, Any]) -> list[str]:
    """Every rule the catalog service applies on publish, plus the sample's own consistency rules."""
    problems: list[str] = []
    keys = set(guide)
    if not keys >= GUIDE_KEYS or not keys <= GUIDE_KEYS | OPTIONAL_GUIDE_KEYS:
        problems.append(
            f"guide keys: missing {GUIDE_KEYS - keys}, unknown {keys - GUIDE_KEYS - OPTIONAL_GUIDE_KEYS}"
        )
        return problems
    for key in ("name", "conditions", "place", "hours", "consult_phone", "complaint_phone"):
        if not isinstance(guide[key], str) or not guide[key].strip():
            problems.append(f"{key} is empty")
    legal, promised, case = guide["legal_limit"], guide["promised_limit"], guide["case_type"]
    for label, limit in (("legal_limit", legal), ("promised_limit", promised)):
        if (
            set(limit) != {"value", "unit"}
            or limit["unit"] not in UNITS
            or not isinstance(limit["value"], int)
        ):
            problems.append(f"{label} malformed: {limit}")
            return problems
        if limit["value"] < 0:
            problems.append(f"{label} is negative")
    if legal["value"] <= 0:
        problems.append("legal limit must be > 0")
    if case not in PROCESSES:
        problems.append(f"case_type {case!r}")
    elif case == "instant":
        if promised["value"] != 0:
            problems.append("instant case with a promised limit > 0")
    else:
        if promised["value"] <= 0:
            problems.append("promised case with a promised limit of 0")
        if promised["unit"] != legal["unit"]:
            problems.append("promised and legal limits in different units")
        elif promised["value"] > legal["value"]:
            problems.append("promised limit exceeds the legal limit")
    visits, depth = guide["visits"], guide["online_depth"]
    if not (isinstance(visits, int) and 0 <= visits <= 10):
        problems.append(f"visits {visits!r}")
    if not (isinstance(depth, int) and 1 <= depth <= 7):
        problems.append(f"online_depth {depth!r}")
    elif depth >= 6 and visits != 0:
        problems.append("fully online (depth ≥ 6) but visits ≠ 0")
    elif visits == 0 and depth < 4:
        problems.append("zero visits but online depth < 4")
    for fee in guide["fees"]:
        if set(fee) - {"amount_fen"} != FEE_KEYS:
            problems.append(f"fee keys {sorted(fee)}")
        elif guide["online_payment"] and fee["charged"] and not fee.get("amount_fen", 0) > 0:
            problems.append(f"fee {fee['name']!r} paid online without its amount in fen")
        elif fee["charged"] and not (
            fee["basis"].strip() and fee["name"].strip() and fee["standard"].strip()
        ):
            problems.append(f"charged fee {fee['name']!r} without name, standard or basis")
    if guide["online_payment"] and not any(f.get("charged") for f in guide["fees"]):
        problems.append("online payment offered for a free item")
    if guide.get("min_real_name_level", 0) not in (0, 2, 3, 4, 5):
        problems.append(f"min_real_name_level {guide['min_real_name_level']!r}")
    objects = guide["service_objects"]
    if not objects or not set(objects) <= SERVICE_OBJECTS or len(set(objects)) != len(objects):
        problems.append(f"service_objects {objects}")
    if not guide["themes"] or not all(isinstance(t, str) and t for t in guide["themes"]):
        problems.append("themes")
    result = guide["result"]
    if set(result) != {"name", "type", "licence_type", "sample"} or result["type"] not in RESULT_TYPES:
        problems.append(f"result {result}")
    elif not result["name"].strip() or (result["type"] == "licence" and not result["licence_type"].strip()):
        problems.append("result without a name, or a licence result without its licence type")
    if not guide["faqs"] or not all(set(f) == {"q", "a"} and f["q"] and f["a"] for f in guide["faqs"]):
        problems.append("faqs")
    for key in ("appointment", "express_delivery", "online_payment"):
        if not isinstance(guide[key], bool):
            problems.append(f"{key} is not a boolean")
    if case in PROCESSES and guide["process"] not in PROCESSES[case]:
        problems.append(f"process {guide['process']!r} for a {case} case")
    problems += material_problems(guide["materials"])
    problems += schema_problems(guide["form_schema"])
    return problems


def material_problems(materials: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if not materials:
        return ["no materials"]
    names = [m.get("name", "") for m in materials]
    if len(set(names)) != len(names):
        problems.append("duplicate material names")
    if not any(m.get("required") for m in materials):
        problems.append("no required material")
    if all(m.get("may_be_missing") for m in materials if m.get("required")):
        problems.append("every required material may be missing")
    for m in materials:
        if set(m) != MATERIAL_KEYS:
            problems.append(f"material keys {sorted(m)}")
            continue
        name = m["name"]
        if not name.strip() or not m["standard"].strip():
            problems.append(f"material {name!r} without a name or an acceptance standard")
        if m["kind"] not in MATERIAL_KINDS or m["source"] not in MATERIAL_SOURCES:
            problems.append(f"material {name!r}: kind {m['kind']!r} source {m['source']!r}")
        if not isinstance(m["copies"], int) or m["copies"] < 1:
            problems.append(f"material {name!r}: copies {m['copies']!r}")
        if m["may_be_missing"] and not m["required"]:
            problems.append(f"optional material {name!r} marked 容缺")
        if m["source"] == "government" and is_certificate(name) and not m["licence_type"].strip():
            problems.append(f"government certificate {name!r} without a licence type")
        if m["source"] == "government" and m["kind"] != "electronic":
            problems.append(f"government material {name!r} should be fetched electronically")
    return problems


def schema_problems(schema: Any) -> list[str]:
    """A small structural check of a JSON Schema (draft 2020-12 subset) object form."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return ["form_schema is not a JSON Schema with type: object"]
    problems: list[str] = []
    properties, required = schema.get("properties"), schema.get("required", [])
    if not isinstance(properties, dict) or not properties:
        return ["form_schema without properties"]
    if (
        not isinstance(required, list)
        or not set(required) <= set(properties)
        or len(set(required)) != len(required)
    ):
        problems.append(f"form_schema required {required} not ⊆ properties")
    for key, prop in properties.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            problems.append(f"form field name {key!r}")
        if not isinstance(prop, dict) or prop.get("type") not in _JSON_TYPES or not prop.get("title"):
            problems.append(f"form field {key!r} without a JSON type or a title")
            continue
        if "enum" in prop and not (isinstance(prop["enum"], list) and prop["enum"]):
            problems.append(f"form field {key!r}: empty enum")
        if "pattern" in prop:
            re.compile(prop["pattern"])
    return problems


def test_meta_marks_the_file_as_sample_data(doc) -> None:
    assert doc["meta"]["sample"] is True
    assert "示例数据" in doc["meta"]["description"]
    assert SAMPLE.read_text(encoding="utf-8").lstrip().startswith("#")
    assert "SAMPLE DATA" in SAMPLE.read_text(encoding="utf-8").splitlines()[1]


def test_counts(doc) -> None:
    impls = doc["implementations"]
    assert len(impls) >= 60
    assert len(doc["departments"]) >= 10
    assert len(doc["bundles"]) >= 3
    guides = [i["guide"] for i in impls]
    assert sum(g["case_type"] == "instant" for g in guides) >= 5
    assert sum(any(f["charged"] for f in g["fees"]) for g in guides) >= 3
    assert {i["tenant"] for i in impls} == {"510104", "510100"}
    assert sum(g["online_depth"] >= 6 and g["visits"] == 0 for g in guides) >= 20


def test_the_basic_catalogue_codes_are_unique_twelve_characters(doc) -> None:
    basic = doc["basic_catalogue"]
    assert re.fullmatch(r"\d{4}\.\d{2}", basic["version"])
    codes = [e["basic_code"] for e in basic["entries"]]
    assert len(set(codes)) == len(codes), [c for c, n in Counter(codes).items() if n > 1]
    for entry in basic["entries"]:
        assert isinstance(entry["basic_code"], str) and BASIC_CODE.fullmatch(entry["basic_code"]), entry
        assert entry["change"] == "add"
        assert entry["item_type"] in ITEM_TYPES, entry
        assert entry["name"].strip() and entry["legal_basis"].startswith("《"), entry
        levels = entry["exercise_levels"]
        assert levels and set(levels) <= {1, 2, 3, 4} and levels == sorted(set(levels)), entry
    names = [e["name"] for e in basic["entries"]]
    assert len(set(names)) == len(names)


def test_the_later_version_shows_every_other_change_kind(doc) -> None:
    basic = doc["basic_catalogue"]
    changes = basic["changes"]
    assert changes["version"] > basic["version"]
    existing = {e["basic_code"] for e in basic["entries"]}
    implemented = {i["basic_code"] for i in doc["implementations"]}
    kinds = Counter(e["change"] for e in changes["entries"])
    assert set(kinds) == CHANGE_KINDS - {"add"}
    new_codes: list[str] = []
    for entry in changes["entries"]:
        kind, code = entry["change"], entry["basic_code"]
        assert kind in CHANGE_KINDS and BASIC_CODE.fullmatch(code), entry
        if kind == "merge":
            assert len(entry["merged_from"]) >= 2 and set(entry["merged_from"]) <= existing, entry
            assert entry["name"].strip()
            new_codes.append(code)
            touched = set(entry["merged_from"])
        else:
            assert code in existing, entry
            touched = {code}
        if kind == "change":
            assert entry["name"].strip() and entry["legal_basis"].strip()
        if kind == "split":
            assert len(entry["split_into"]) >= 2 and all(s["name"].strip() for s in entry["split_into"])
            new_codes += [s["basic_code"] for s in entry["split_into"]]
        # The demo keeps its implementations live: the changes touch items nobody implements.
        assert not touched & implemented, entry
    assert all(BASIC_CODE.fullmatch(c) for c in new_codes)
    assert len(set(new_codes)) == len(new_codes) and not set(new_codes) & existing


def test_departments_exist_in_the_identity_demo_data(doc) -> None:
    seeded = {(tenant, prefix): name for tenant, prefix, name, _ in DEPARTMENTS}
    seeded_codes = [make_credit_code(prefix) for _, prefix, _, _ in DEPARTMENTS]
    assert len(set(seeded_codes)) == len(seeded_codes), "two seeded departments share a credit code"
    tenants = {code for code, _, _ in TENANTS}
    prefixes = [d["prefix17"] for d in doc["departments"]]
    assert len(set(prefixes)) == len(prefixes)
    for dept in doc["departments"]:
        assert set(dept) == {"tenant", "prefix17", "name", "short_name"}, dept
        assert dept["tenant"] in tenants, dept
        assert PREFIX17.fullmatch(dept["prefix17"]), dept
        assert dept["prefix17"][2:8] == dept["tenant"], "the credit code's region is the tenant's"
        assert credit_code_valid(make_credit_code(dept["prefix17"]))
        assert seeded.get((dept["tenant"], dept["prefix17"])) == dept["name"], dept
    used = {(i["tenant"], i["dept_prefix17"]) for i in doc["implementations"]}
    assert used == {(d["tenant"], d["prefix17"]) for d in doc["departments"]}, "departments without items"


def test_every_implementation_follows_the_guide_rules(doc) -> None:
    basic = {e["basic_code"]: e for e in doc["basic_catalogue"]["entries"]}
    departments = {(d["tenant"], d["prefix17"]) for d in doc["departments"]}
    seen: set[tuple[str, str]] = set()
    failures: dict[str, list[str]] = {}
    for impl in doc["implementations"]:
        assert set(impl) == {"tenant", "dept_prefix17", "basic_code", "keywords", "guide"}, impl.keys()
        code, tenant = impl["basic_code"], impl["tenant"]
        assert (tenant, code) not in seen, f"{code} implemented twice in {tenant}"
        seen.add((tenant, code))
        assert code in basic, f"{code} is not in the basic catalogue"
        assert (tenant, impl["dept_prefix17"]) in departments, impl["dept_prefix17"]
        assert TENANT_LEVEL[tenant] in basic[code]["exercise_levels"], (
            f"{code} not exercised at {tenant}'s level"
        )
        assert impl["keywords"].strip()
        problems = guide_problems(impl["guide"])
        if impl["guide"].get("name") != basic[code]["name"]:
            problems.append("guide name differs from the basic catalogue name")
        if problems:
            failures[f"{code} {basic[code]['name']}"] = problems
    assert not failures, failures


def test_bundles_combine_implemented_items_of_several_departments(doc) -> None:
    implemented = {(i["tenant"], i["basic_code"]): i["dept_prefix17"] for i in doc["implementations"]}
    codes = [b["code"] for b in doc["bundles"]]
    assert len(set(codes)) == len(codes)
    names = {b["name"] for b in doc["bundles"]}
    assert {"开办餐饮店一件事", "出生一件事", "企业开办一件事"} <= names
    for bundle in doc["bundles"]:
        assert set(bundle) == {"code", "tenant", "name", "description", "items"}, bundle
        assert bundle["code"].startswith(bundle["tenant"] + "-YJS-"), bundle["code"]
        assert bundle["description"].strip()
        items = bundle["items"]
        assert len(items) >= 2 and len(set(items)) == len(items), bundle
        missing = [c for c in items if (bundle["tenant"], c) not in implemented]
        assert not missing, f"{bundle['name']}: not implemented in {bundle['tenant']}: {missing}"
        assert len({implemented[(bundle["tenant"], c)] for c in items}) >= 2, (
            f"{bundle['name']}: one department"
        )


def test_the_rule_checks_catch_broken_guides(doc) -> None:
    """The checks above are not vacuous: each broken copy of a valid guide is reported."""
    good = next(i["guide"] for i in doc["implementations"] if i["basic_code"] == "000104001000")
    assert guide_problems(good) == []
    breakages = {
        "promised > legal": {"promised_limit": {"value": 30, "unit": "workday"}},
        "mixed units": {"promised_limit": {"value": 1, "unit": "natural_day"}},
        "instant with days": {"case_type": "instant", "process": "instant-default"},
        "fully online with a visit": {"visits": 1},
        "zero visits offline": {"online_depth": 3},
        "real-name level 1 (undefined)": {"min_real_name_level": 1},
        "real-name level above 5": {"min_real_name_level": 6},
        "fee without basis": {"fees": [{"name": "工本费", "standard": "10元", "basis": "", "charged": True, "reductions": ""}]},
        "schema required unknown": {"form_schema": {**good["form_schema"], "required": ["nope"]}},
        "certificate without licence type": {
            "materials": [{**good["materials"][1], "name": "营业执照", "licence_type": ""}]
        },
    }  # fmt: skip
    for label, change in breakages.items():
        assert guide_problems({**good, **change}), label
