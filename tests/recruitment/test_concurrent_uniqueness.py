"""Issue 12 item 2: development plans, votes and training records are held unique by the
database; a concurrent duplicate gets a Chinese message, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core.actors import system_actor
from apps.recruitment import services
from apps.recruitment.models import DevelopmentPlan, TrainingRecord
from tests.factories import make_tree, make_user
from tests.recruitment.helpers import D, before_step, new_file
from tests.uniqueness_helpers import race, skip_check

SYSTEM = system_actor("cli")


def test_plan_after_a_passed_check_is_a_chinese_error(tree, monkeypatch):
    branch = tree["branches"][0][0]
    services.save_plan({"organisation": branch, "kind": "annual", "start_year": 2026, "total": 3}, actor=SYSTEM)
    skip_check(monkeypatch, DevelopmentPlan)
    with pytest.raises(ValidationError) as exc:
        services.save_plan({"organisation": branch, "kind": "annual", "start_year": 2026, "total": 5}, actor=SYSTEM)
    assert "发展计划已由他人同时保存" in exc.value.message_dict["start_year"][0]
    assert DevelopmentPlan.objects.get().total == 3


def test_training_enrolment_after_a_passed_check_is_a_chinese_error(tree, monkeypatch):
    branch = tree["branches"][0][0]
    f = before_step(new_file(branch), "training")
    cls = services.create_training_class(
        {"organisation": branch, "name": "发展对象培训班", "start_date": D(2024, 4, 1), "end_date": D(2024, 4, 3), "days": 3, "hours": 24},
        actor=SYSTEM,
    )
    assert services.enrol(cls, [f], actor=SYSTEM) == 1
    skip_check(monkeypatch, TrainingRecord)
    with pytest.raises(ValidationError) as exc:
        services.enrol(cls, [f], actor=SYSTEM)
    assert "已由他人同时登记参加该培训班" in exc.value.message_dict["files"][0]
    assert TrainingRecord.objects.filter(file=f).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_plans_one_row_and_chinese_errors():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from threads (run on PostgreSQL)")
    tree = make_tree()
    branch = tree["branches"][0][0]
    user = make_user("branch_secretary", branch)
    data = {"organisation": branch, "kind": "annual", "start_year": 2026, "total": 4}
    results = race(lambda i: services.save_plan(dict(data), actor=user), 6)
    assert all(not isinstance(r, Exception) or isinstance(r, ValidationError) for r in results), results
    assert all("发展计划已由他人同时保存" in r.message_dict["start_year"][0] for r in results if isinstance(r, ValidationError))
    assert DevelopmentPlan.objects.count() == 1
