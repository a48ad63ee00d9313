"""The lexicon's cue lists for structure, roles, dates and counts, compiled once.

``ontology/lexicon.yaml`` documents each list; :class:`Cues` is what the stages read of
them (sentence roles, timeline roles, discovery and occurrence cues, count cues).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_NEVER = re.compile(r"(?!)")


def _alternation(patterns: Iterable[str], template: str = "(?:{})") -> re.Pattern[str]:
    """One compiled pattern matching any of ``patterns`` (never matching when empty)."""
    parts = [template.format(p) for p in patterns]
    return re.compile("|".join(parts)) if parts else _NEVER


@dataclass(frozen=True)
class Cues:
    """The lexicon's cue lists for structure, roles, dates and counts, compiled once
    (ontology/lexicon.yaml documents each list)."""

    sentence_roles: Mapping[str, re.Pattern[str]]  # role → a sentence that says it
    continuation: re.Pattern[str]  # また、… goes on in the role before
    timeline_roles: Mapping[str, tuple[str, ...]]  # event role → words of its entry
    discovered: tuple[str, ...]
    discovered_strong: tuple[str, ...]  # cues that say discovery even in the lines after a date
    discovered_negated: re.Pattern[str]
    occurred: tuple[str, ...]
    count_preferred: tuple[str, ...]
    count_excluded: tuple[str, ...]
    count_excluded_patterns: re.Pattern[str]
    count_subset: re.Pattern[str]
    count_total: re.Pattern[str]  # 合計3件: the total of counts given per body or per day
    count_not_after: re.Pattern[str]  # a head-count: 来場者は87名
    count_not_before: re.Pattern[str]  # the scope of a check: 約1,900件について照合
    single_case: re.Pattern[str]
    guidance_title: re.Pattern[str] | None  # FAQ / guidance pages tell no incident

    @classmethod
    def from_lexicon(cls, data: Mapping[str, Any]) -> Cues:
        def words(key: str) -> tuple[str, ...]:
            return tuple(str(w) for w in data.get(key, []) or [])

        guidance = words("guidance_titles")
        return cls(
            sentence_roles={
                role: _alternation(patterns)
                for role, patterns in (data.get("sentence_roles") or {}).items()
            },
            continuation=_alternation(words("continuation_cues")),
            timeline_roles={
                role: tuple(ws) for role, ws in (data.get("timeline_roles") or {}).items()
            },
            discovered=words("discovered_cues"),
            discovered_strong=words("discovered_strong_cues"),
            discovered_negated=_alternation(words("discovered_negated")),
            occurred=words("occurred_cues"),
            count_preferred=words("count_preferred_cues"),
            count_excluded=words("count_excluded_cues"),
            count_excluded_patterns=_alternation(words("count_excluded_patterns")),
            count_subset=_alternation(words("count_subset_cues")),
            count_total=_alternation(words("count_total_cues")),
            count_not_after=_alternation(words("count_not_after"), "(?:{})$"),
            count_not_before=_alternation(words("count_not_before"), "^(?:{})"),
            single_case=_alternation(words("single_case_cues")),
            guidance_title=_alternation(guidance) if guidance else None,
        )
