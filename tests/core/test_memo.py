"""apps.core.memo: a shared read is computed once per shared_reads() block and never kept
outside one."""

from apps.core.memo import shared_read, shared_reads

calls = []


@shared_read
def figures(prefix: str, year: int) -> tuple:
    calls.append((prefix, year))
    return (prefix, year, len(calls))


def test_outside_a_block_every_call_reads():
    calls.clear()
    assert figures("0001", 2026) != figures("0001", 2026)
    assert len(calls) == 2


def test_inside_a_block_the_same_arguments_read_once_and_nothing_outlives_it():
    calls.clear()
    with shared_reads():
        first = figures("0001", 2026)
        assert figures("0001", 2026) is first
        assert figures("0001", year=2025) != first  # other arguments: another read
        assert len(calls) == 2
    assert figures("0001", 2026) is not first
    with shared_reads():
        assert figures("0001", 2026) is not first  # a new block starts empty
    assert len(calls) == 4
