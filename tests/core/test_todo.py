"""我的待办 (issue 12 item 20): every kind of work waiting for the user's role, grouped by
kind with counts, filterable; the county's own work (换届) included; a branch secretary
sees steps that may be taken now even when no deadline presses."""

import datetime

from django.urls import reverse
from django.utils import timezone

from apps.core import todo
from apps.core.actors import system_actor
from apps.recruitment import engine
from tests.factories import make_user
from tests.recruitment.helpers import new_file


def _item(module, kind, *, overdue=False, count=1):
    return todo.TodoItem(module=module, title=f"{kind}事项", url="/", kind=kind, overdue=overdue, count=count)


def test_grouped_counts_and_orders_overdue_groups_first():
    items = [
        _item("党费", "减免审批"),
        _item("党费", "减免审批", count=12),  # an "另有12项…" line stands for twelve
        _item("组织", "换届", overdue=True),
        todo.TodoItem(module="发展党员", title="x", url="/"),  # no kind: grouped under its module
    ]
    groups = todo.grouped(items)
    assert [(g.module, g.label, g.count, g.overdue) for g in groups] == [
        ("组织", "换届", 1, 1),
        ("党费", "减免审批", 13, 0),
        ("发展党员", "发展党员", 1, 0),
    ]
    assert todo.filtered(items, module="组织") == [items[2]]
    assert todo.filtered(items, overdue=True) == [items[2]]


def test_terms_due_are_the_committees_work_and_stay_in_scope(client, tree):
    today = timezone.localdate()
    branch_a, branch_b = tree["branches"][0][0], tree["branches"][1][0]
    branch_a.term_end = today - datetime.timedelta(days=3)
    branch_a.save(update_fields=["term_end"])
    branch_b.term_end = today + datetime.timedelta(days=20)
    branch_b.save(update_fields=["term_end"])
    admin = make_user("county_admin", tree["county"])
    terms = [i for i in todo.items_for(admin) if i.kind == "换届"]
    assert {i.org for i in terms} == {branch_a.name, branch_b.name}
    assert [i.overdue for i in terms if i.org == branch_a.name] == [True]
    secretary_b = make_user("branch_secretary", branch_b)
    assert [i.org for i in todo.items_for(secretary_b) if i.kind == "换届"] == [branch_b.name]

    client.force_login(admin)
    html = client.get(reverse("core:todo")).content.decode()
    assert "换届" in html and "逾期 1" in html and branch_b.name in html
    only_overdue = client.get(reverse("core:todo"), {"overdue": "1"}).content.decode()
    assert branch_a.name in only_overdue and branch_b.name not in only_overdue
    other_module = client.get(reverse("core:todo"), {"module": "党费"}).content.decode()
    assert branch_a.name not in other_module
    home = client.get(reverse("core:home")).content.decode()
    assert "换届" in home and reverse("core:todo") + "?module=" in home


def test_a_step_that_may_be_taken_now_is_on_the_secretarys_list(tree):
    branch = tree["branches"][0][0]
    today = timezone.localdate()
    f = new_file(branch, name="钱可办", application_date=today - datetime.timedelta(days=40))
    engine.take_step(
        f,
        "talk",
        date=today - datetime.timedelta(days=30),
        actor=system_actor("cli"),
        data={"talker": "王书记", "talker_role": "secretary", "summary": "了解入党动机"},
    )
    f.refresh_from_db()
    assert f.next_deadline is None or f.next_deadline > today + datetime.timedelta(days=30)
    secretary = make_user("branch_secretary", branch)
    ready = [i for i in todo.items_for(secretary) if i.kind == "可办理的发展步骤"]
    assert len(ready) == 1 and "钱可办" in ready[0].title and "可以办理" in ready[0].title
    outsider = make_user("branch_secretary", tree["branches"][1][0])
    assert not [i for i in todo.items_for(outsider) if i.module == "发展党员"]
