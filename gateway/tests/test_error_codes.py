"""The published error codes (ywtb.common.error_codes) are exactly the codes the source raises."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from ywtb.common import errors
from ywtb.common.error_codes import ERROR_CODES, HTTP
from ywtb.gateway import errors as gateway_errors

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["services/*/src/**/*.py", "gateway/src/**/*.py", "shared/common/src/**/*.py"]
ERROR_CLASSES = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.YwtbError)
}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "TEXT" assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def raised_codes() -> dict[str, set[int]]:
    """code -> HTTP statuses of the error classes it is raised with, from every `code=` of an error call."""
    found: dict[str, set[int]] = defaultdict(set)
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = _constants(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                cls = ERROR_CLASSES.get(node.func.id)
                for keyword in node.keywords if cls else ():
                    value = keyword.value
                    if keyword.arg != "code":
                        continue
                    if isinstance(value, ast.Name) and value.id in constants:
                        found[constants[value.id]].add(cls.http_status)  # type: ignore[union-attr]
                    elif isinstance(value, ast.Constant):
                        found[value.value].add(cls.http_status)  # type: ignore[union-attr]
                    else:
                        raise AssertionError(f"{path}:{node.lineno}: code= must be a literal or a constant")
    for cls in ERROR_CLASSES.values():
        found[cls.default_code].add(cls.http_status)
    return found


def test_every_raised_code_is_published_with_its_status() -> None:
    raised = raised_codes()
    missing = sorted(set(raised) - set(ERROR_CODES))
    assert not missing, f"add these codes to ywtb.common.error_codes: {missing}"
    wrong = {
        code: (sorted(statuses), ERROR_CODES[code].http_statuses)
        for code, statuses in raised.items()
        if tuple(sorted(statuses)) != ERROR_CODES[code].http_statuses
    }
    assert not wrong, f"raised with other statuses than published: {wrong}"


def test_every_published_code_is_raised() -> None:
    http_only = {c.code for c in HTTP}
    stale = sorted(set(ERROR_CODES) - set(raised_codes()) - http_only)
    assert not stale, f"nothing raises these published codes any more: {stale}"


def test_the_gateway_http_answers_are_published() -> None:
    http = {c.code: c.http_statuses for c in HTTP}
    for status, (code, _) in gateway_errors._HTTP_ERRORS.items():
        assert code in ERROR_CODES, code
        assert code not in http or status in http[code], (code, status)
    assert set(http) - {code for code, _ in gateway_errors._HTTP_ERRORS.values()} == {"HTTP_ERROR"}
