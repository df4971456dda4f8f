"""Citizen search of the item catalogue (事项搜索): Chinese n-grams, pinyin, initials and typos."""

from ywtb.catalog.search.index import SearchIndex
from ywtb.catalog.search.model import Hit, SearchDoc, SearchResult

__all__ = ["Hit", "SearchDoc", "SearchIndex", "SearchResult"]
