"""Browser-test helpers for the portal's forms (Playwright pages): an input by its posted name, PDF uploads."""

from __future__ import annotations

from typing import Any

from ywtb.common.testing.demo import PDF


def field(page: Any, name: str) -> Any:
    """The input of a posted name: the portal gives it the id f-<name> (dots included)."""
    return page.locator(f'[id="f-{name}"]')


def fill(page: Any, values: dict[str, str]) -> None:
    """Type each value into the input of its posted name."""
    for name, value in values.items():
        field(page, name).fill(value)


def pdf_file(name: str, content: bytes = PDF) -> dict[str, Any]:
    """A file for set_input_files: a small PDF under this name."""
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


def upload_every_material(page: Any) -> int:
    """Attach a PDF to every material upload of the application form; how many there were."""
    uploads = page.locator("input[type=file][name^='material.']")
    for n in range(uploads.count()):
        uploads.nth(n).set_input_files(pdf_file(f"材料{n + 1}.pdf"))
    return uploads.count()
