def test_capped_count_counts_grouped_rows_not_the_lines_they_group(tree):
    """One row per organisation over many members: the count is of the grouped rows."""
    from django.db.models import Count

    from apps.core.api.pagination import capped_count
    from apps.members.models import Member
    from tests.factories import make_member

    a, b = tree["branches"][0][0], tree["branches"][1][0]
    for org, n in ((a, 3), (b, 2)):
        for _ in range(n):
            make_member(org)
    grouped = Member.objects.values("organisation_id").annotate(n=Count("pk")).order_by("organisation_id")
    assert capped_count(grouped) == (2, True)
    assert capped_count(grouped, cap=1) == (1, False)
    assert capped_count(Member.objects.all()) == (5, True)
