import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from apps.core.actors import system_actor
from apps.dues import services
from apps.dues.models import Payment, PaymentMonth
from tests.dues.conftest import salaried
from tests.factories import make_tree, make_user

TODAY = datetime.date(2026, 6, 15)


@pytest.mark.django_db(transaction=True)
def test_two_users_paying_the_same_month_yield_one_payment():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from two threads")
    tree = make_tree()
    branch = tree["branches"][0][0]
    member = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    users = [make_user("branch_secretary", branch), make_user("branch_organiser", branch)]
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(user):
        try:
            barrier.wait()
            services.record_payment(member, months=["2026-02"], amount="40.00", actor=user, today=TODAY)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["months"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert "不能重复缴纳" in refused or "已由他人同时登记缴纳" in refused
    assert Payment.objects.count() == 1 and PaymentMonth.objects.count() == 1
