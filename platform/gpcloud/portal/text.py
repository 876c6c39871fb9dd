"""Chinese text for the search index: segmented with jieba (rjieba, its Rust port) so that both
SQLite FTS5 and PostgreSQL full-text see words separated by spaces."""

from __future__ import annotations

import re

import rjieba

# Punctuation and symbols are not words; keep letters, digits and CJK.
WORD = re.compile(r"[\w\u4e00-\u9fff]+")
MAX_QUERY_TERMS = 12


def index_terms(*texts: str) -> str:
    """What the index stores: every word and its shorter parts (cut_for_search), lower case."""
    terms = []
    for text in texts:
        for token in rjieba.cut_for_search(text or ""):
            terms.extend(w.lower() for w in WORD.findall(token))
    return " ".join(terms)


def query_terms(query: str) -> list[str]:
    """The words a search asks for (all must match). Anything that is not a word, including
    every FTS or SQL syntax character, is dropped, so a query cannot be an expression.

    Single characters the segmenter splits off (市 of 梅江市, 县, 区) are dropped when longer
    words remain: nearly every notice has them, so they narrow nothing and only make the index
    read its longest lists."""
    terms: list[str] = []
    for token in rjieba.cut(query[:200]):
        for word in WORD.findall(token):
            word = word.lower()
            if word not in terms:
                terms.append(word)
    words = [t for t in terms if len(t) > 1]
    return (words or terms)[:MAX_QUERY_TERMS]
