"""Trainees of a class who are not party members.

The recruitment app's 入党积极分子 and 发展对象 attend education's training classes of the
kinds in rules.RECRUITMENT_KINDS (one class mechanism), but they are development files,
not members, so education's Enrolment cannot hold them. The app that owns such trainees
registers a source here in its AppConfig.ready(); education counts them on its class pages
and links to the owner's enrolment page without importing that app.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TraineeSource:
    label: str  # who the trainees are, e.g. "入党积极分子、发展对象"
    counts: Callable[[list[int]], dict[int, int]]  # class ids -> number of trainees (one query)
    page: str  # URL name of the owner's enrolment page, taking the class pk


_SOURCES: list[TraineeSource] = []


def register(source: TraineeSource) -> None:
    if all(s.page != source.page for s in _SOURCES):
        _SOURCES.append(source)


def sources() -> list[TraineeSource]:
    return list(_SOURCES)


def counts(class_ids: list[int]) -> dict[int, int]:
    """Trainees of every registered source per class (one query per source)."""
    total: dict[int, int] = {}
    if not class_ids:
        return total
    for source in _SOURCES:
        for pk, n in source.counts(class_ids).items():
            total[pk] = total.get(pk, 0) + n
    return total
