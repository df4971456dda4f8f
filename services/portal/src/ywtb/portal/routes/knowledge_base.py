"""问答知识库: the items' FAQs (常见问题 of their guides) and the published answers of 咨询投诉 with the words of
a search — on the search page beside the items found, and on the public page of the published answers."""

from __future__ import annotations

import unicodedata
from typing import Any

from ywtb.portal.gateway import GatewayError
from ywtb.portal.web import Page

REPLIES = "/api/v1/evaluation/replies"
MAX_QUERY = 50  # the gateway's limit of the replies' words
SHOWN = 10  # the FAQs, and the published answers, shown on the search page


def faq_entries(hits: list[dict[str, Any]], guides: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The FAQs of the items (search hits with their guides), each with its item and department."""
    entries = []
    for hit, found in zip(hits, guides, strict=True):
        for faq in (found or {}).get("guide", {}).get("faqs", []):
            if faq.get("q") and faq.get("a"):
                entries.append(
                    {
                        "item_id": hit["item_id"],
                        "item_name": hit.get("name", ""),
                        "dept_name": hit.get("dept_name", ""),
                        "q": faq["q"],
                        "a": faq["a"],
                    }
                )
    return entries


def words_of(query: str) -> list[str]:
    """The query's words (full-width letters and digits as half-width, case folded)."""
    return unicodedata.normalize("NFKC", query).casefold().split()


def has_words(words: list[str], *texts: str) -> bool:
    """Every word is in one of the texts."""
    joined = unicodedata.normalize("NFKC", " ".join(texts)).casefold()
    return all(word in joined for word in words)


def matching_faqs(query: str, *sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The FAQs of `sources` (the first ones first, each once) whose question or answer has every word."""
    words = words_of(query)
    seen, found = set(), []
    for entry in (e for source in sources for e in source):
        key = (entry["item_id"], entry["q"])
        if words and key not in seen and has_words(words, entry["q"], entry["a"]):
            seen.add(key)
            found.append(entry)
    return found


def find_replies(page: Page, query: str = "", tenant: str = "") -> list[dict[str, Any]] | None:
    """The published answers (newest first) whose title, question or answer has every word of the query;
    None when the evaluation service cannot answer (the page is shown without them)."""
    words = words_of(query)
    try:  # the service matches one string: its longest word, then the others here
        found: list[dict[str, Any]] = page.get(
            None, REPLIES, query=max(words, key=len)[:MAX_QUERY] if words else "", tenant=tenant
        )
    except GatewayError:
        return None
    return [
        r for r in found if has_words(words, r.get("title", ""), r.get("question", ""), r.get("reply", ""))
    ]


def knowledge(page: Page, query: str, *faq_sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The search page's 问答知识库 of the query (None without words): its FAQs and published answers, the
    first SHOWN of each, and whether there are more answers than shown."""
    if not words_of(query):
        return None
    faqs = matching_faqs(query, *faq_sources)
    replies = find_replies(page, query)
    return {
        "faqs": faqs[:SHOWN],
        "more_faqs": len(faqs) > SHOWN,
        "replies": (replies or [])[:SHOWN],
        "more_replies": len(replies or []) > SHOWN,
        "replies_unavailable": replies is None,
    }
