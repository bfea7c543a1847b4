"""The bulk writer (COPY on PostgreSQL, executemany on SQLite) stores exactly what the ORM
stores: read back through the ORM, every type comes back equal."""

import datetime

from django.utils import timezone

from apps.core import bulk
from apps.core.models import ChangeLog


def test_insert_dicts_round_trips_every_type(db):
    now = timezone.now().replace(microsecond=123456)
    after = {"name": "张三\t李四\n\\x", "categories": ["rural"], "n": 1, "none": None, "date": "2020-02-29"}
    bulk.insert_dicts(
        ChangeLog,
        [
            {
                "at": now,
                "user_id": None,
                "username": "导入\\人",
                "ip": None,
                "request_id": "",
                "source": "task",
                "action": "create",
                "object_type": "members.member",
                "object_id": "1",
                "object_repr": "张三 (tab\there)",
                "org_path": "0001",
                "before": None,
                "after": after,
                "message": "Excel导入（任务#1）",
            }
        ],
    )
    row = ChangeLog.objects.get()
    assert row.at == now
    assert row.after == after and isinstance(row.after, dict), "JSON stored as an object, not a string"
    assert row.before is None
    assert row.username == "导入\\人" and row.object_repr == "张三 (tab\there)"


def test_insert_models_with_dates_and_ids(db):
    from apps.members.models import Member, MemberStatusChange
    from tests.factories import make_member, make_org

    member = make_member(make_org())
    bulk.insert_dicts(
        MemberStatusChange,
        [
            {
                "member_id": member.pk,
                "from_status": "",
                "to_status": "normal",
                "date": datetime.date(2020, 2, 29),
                "reason": "x",
                "recorded_by": "y",
            }
        ],
    )
    change = MemberStatusChange.objects.filter(member=member, reason="x").get()
    assert change.date == datetime.date(2020, 2, 29) and change.recorded_at is not None
    assert Member.objects.filter(pk=member.pk).exists()


# ---------------------------------------------------------------- add_to_counts


class _Statements:
    """Every statement sent through Django's cursor: (sql, params, executemany?)."""

    def __init__(self):
        self.sent = []

    def __call__(self, execute, sql, params, many, context):
        self.sent.append((sql, params, many))
        return execute(sql, params, many, context)


def _sent_keys(params) -> list[int]:
    """The primary keys an add_to_counts statement carries (PostgreSQL: an array of keys
    and one of deltas; SQLite: one JSON array of [key, delta] pairs)."""
    import json

    if len(params) == 2:
        return sorted(params[0])
    return sorted(pk for pk, _n in json.loads(params[0]))


def _counts(orgs):
    from apps.orgs.models import Organisation

    return dict(Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list("pk", "direct_member_count"))


def test_add_to_counts_is_one_statement_whatever_the_number_of_rows(tree):
    from django.db import connection

    from apps.orgs.models import Organisation

    orgs = [tree["county"], *tree["committees"], *(b for pair in tree["branches"] for b in pair)]
    Organisation.objects.filter(pk__in=[o.pk for o in orgs]).update(direct_member_count=10)
    texts = []
    for deltas in ({orgs[0].pk: 1}, {o.pk: i + 1 for i, o in enumerate(orgs)}):
        spy = _Statements()
        with connection.execute_wrapper(spy):
            bulk.add_to_counts(Organisation, "direct_member_count", deltas)
        assert len(spy.sent) == 1 and spy.sent[0][2] is False, spy.sent  # one statement, not executemany
        texts.append((spy.sent[0][0], len(spy.sent[0][1])))
    assert texts[0] == texts[1], "the statement does not grow with the number of rows"
    assert _counts(orgs) == {o.pk: 10 + i + 1 + (1 if i == 0 else 0) for i, o in enumerate(orgs)}


def test_add_to_counts_sums_a_key_given_several_times_and_skips_zero_sums(tree):
    from django.db import connection

    from apps.orgs.models import Organisation

    a, b = tree["branches"][0]
    c, d = tree["branches"][1]
    Organisation.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).update(direct_member_count=5)
    spy = _Statements()
    with connection.execute_wrapper(spy):
        # a three times (+2 +3 −1), b twice summing to 0, c decreased, d absent
        bulk.add_to_counts(Organisation, "direct_member_count", [(a.pk, 2), (b.pk, 1), (a.pk, 3), (c.pk, -4), (b.pk, -1), (a.pk, -1)])
    assert len(spy.sent) == 1
    assert _counts([a, b, c, d]) == {a.pk: 9, b.pk: 5, c.pk: 1, d.pk: 5}
    assert _sent_keys(spy.sent[0][1]) == [a.pk, c.pk], "b's deltas sum to 0: not sent"


def test_add_to_counts_sends_nothing_when_there_is_nothing_to_add(tree):
    from django.db import connection

    from apps.orgs.models import Organisation

    branch = tree["branches"][0][0]
    spy = _Statements()
    with connection.execute_wrapper(spy):
        bulk.add_to_counts(Organisation, "direct_member_count", {})
        bulk.add_to_counts(Organisation, "direct_member_count", {branch.pk: 0})
        bulk.add_to_counts(Organisation, "direct_member_count", [(branch.pk, 2), (branch.pk, -2)])
    assert spy.sent == []
    assert _counts([branch]) == {branch.pk: 0}


def test_add_to_counts_has_no_parameter_limit(tree):
    """40,000 keys (more than SQLite's 32,766 parameters, about a province's organisations)
    in one statement; keys without a row change nothing."""
    from django.db import connection

    from apps.orgs.models import Organisation

    branch = tree["branches"][0][0]
    other = tree["branches"][1][0]
    top = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first()
    deltas = {top + 1 + i: 1 for i in range(40_000)}
    deltas[branch.pk] = 7
    spy = _Statements()
    with connection.execute_wrapper(spy):
        bulk.add_to_counts(Organisation, "direct_member_count", deltas)
    assert len(spy.sent) == 1
    assert _counts([branch, other]) == {branch.pk: 7, other.pk: 0}


def test_rows_reads_one_or_many_names_and_converts_only_where_asked():
    # bulk._rows reads all of a row's values in one getter call; a one-name getter returns
    # a value, not a tuple, so that case is wrapped.
    import operator

    items = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert bulk._rows(items, operator.itemgetter, ["a", "b"], [None, str.upper]) == [[1, "X"], [2, "Y"]]
    assert bulk._rows(items, operator.itemgetter, ["b"], [None]) == [["x"], ["y"]]
    assert bulk._rows(items, operator.itemgetter, ["a"], [lambda v: v * 10]) == [[10], [20]]
