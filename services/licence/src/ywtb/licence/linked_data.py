"""JSON-LD without the network: the contexts a credential may use are known in advance, and RDF Dataset
Canonicalization (RDFC-1.0, pyld's URDNA2015) turns a document into the N-Quads its proof signs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from cachetools import LRUCache
from pyld import jsonld  # type: ignore[import-untyped]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


class UnloadableContext(ValueError):
    """A document names a context this service does not hold (it never fetches one from the network)."""


@cache
def _bundled() -> dict[str, Any]:
    text = resources.files("ywtb.licence").joinpath("contexts/credentials-v2.jsonld").read_text("utf-8")
    return {CREDENTIALS_V2: json.loads(text)}


class DocumentLoader:
    """The W3C credentials v2 context (vendored) and any extra given; every other URL refused."""

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self.documents = {**_bundled(), **(extra or {})}
        self.resolver = ContextResolver(LRUCache(maxsize=64), self)

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        """pyld's document loader interface."""
        if url not in self.documents:
            raise UnloadableContext(url)
        return {"contextUrl": None, "documentUrl": url, "document": self.documents[url]}


def canonical_nquads(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document; ValueError when it is not valid JSON-LD."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": loader.resolver,
    }
    try:
        return str(jsonld.normalize(dict(document), options))
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, UnloadableContext):
                raise UnloadableContext(str(cause)) from error
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise ValueError(f"not valid JSON-LD: {error}") from error
