"""Import-isolation checks: which modules a source file imports, read from its syntax tree (nothing is run)."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable
from pathlib import Path

WEB_FRAMEWORKS = frozenset({"fastapi", "starlette", "uvicorn"})
SIMULATOR_SIDE = frozenset({"ywtb.common.signed_http.asgi", "ywtb.common.simulator_kit"})
"""What an adapter of an outside system never imports: the web framework and the simulators' side of the wire."""


def imported_modules(path: Path) -> set[str]:
    """The modules `path` imports (`import a.b` and `from a.b import c` both give a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(f"{module}.")


def assert_not_imported(files: Iterable[Path], forbidden: Collection[str]) -> int:
    """Fail naming the first of `files` that imports one of the `forbidden` modules (or a module inside one);
    the number of files checked, which is never 0."""
    checked = 0
    for path in files:
        checked += 1
        names = imported_modules(path)
        wrong = sorted(name for name in names if any(_within(name, module) for module in forbidden))
        assert not wrong, f"{path} imports {', '.join(wrong)}"
    assert checked, "no file to check"
    return checked
