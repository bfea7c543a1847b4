import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.dues import services
from apps.dues.models import ArrearsCase, Collection, DuesLine, Payment
from tests.dues.conftest import salaried
from tests.factories import make_user


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def data(branch, month):
    m = salaried(branch, "4000", month="2020-01")
    services.generate_month(branch, month, actor=system_actor("cli"))
    return {"member": m, "line": DuesLine.objects.get(member=m)}


def test_lines_and_payment_flow(api, data, secretary, branch, month):
    api.force_authenticate(secretary)
    r = api.get("/api/dues/lines/", {"month": f"{month:%Y-%m}", "organisation": branch.pk})
    assert r.status_code == 200 and r.json()["count"] == 1
    row = r.json()["results"][0]
    assert row["amount_due"] == "40.00" and row["rate_label"] == "1%"
    body = {"member": data["member"].pk, "months": [f"{month:%Y-%m}"], "amount": "-1"}
    r = api.post("/api/dues/payments/", body, format="json")
    assert r.status_code == 400 and "不能为负数" in r.json()["amount"][0]
    body.update(amount="40.00", payer_kind="organisation")
    r = api.post("/api/dues/payments/", body, format="json")
    assert r.status_code == 400 and "不得代替党员交纳" in r.json()["payer_kind"][0]
    body.update(payer_kind="proxy", payer_name="张伟")
    r = api.post("/api/dues/payments/", body, format="json")
    assert r.status_code == 201 and r.json()["payment"]["payer_name"] == "张伟"
    r = api.post("/api/dues/payments/", body, format="json")
    assert r.status_code == 400 and "不能重复缴纳" in r.json()["months"][0]
    assert api.get("/api/dues/payments/").json()["count"] == 1


def test_declaration_generate_arrears_collections(api, data, secretary, organiser, branch, month):
    api.force_authenticate(secretary)
    r = api.post(
        "/api/dues/declarations/",
        {"member": data["member"].pk, "category": "retiree", "base": "5000.00", "effective_month": f"{month:%Y-%m}"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert DuesLine.objects.get(pk=data["line"].pk).amount_due == Decimal("25.00")
    r = api.post("/api/dues/generate/", {"organisation": branch.pk, "month": f"{month:%Y-%m}"}, format="json")
    assert r.status_code == 201 and r.json()["existing"] == 1
    assert api.get("/api/dues/arrears/").status_code == 200
    r = api.post(
        "/api/dues/collections/hand-over/", {"organisation": branch.pk, "month": f"{month:%Y-%m}", "amount": "0.00"}, format="json"
    )
    assert r.status_code == 201 and r.json()["expected"] == "25.00"
    coll = Collection.objects.get()
    assert api.post(f"/api/dues/collections/{coll.pk}/confirm/").status_code == 404  # the receiver (unseen by the branch) confirms
    api.force_authenticate(organiser)
    assert api.post(f"/api/dues/collections/{coll.pk}/confirm/").status_code == 200


def test_arrears_case_decide(api, branch, secretary):
    m = salaried(branch, "4000", month="2020-01")
    case = ArrearsCase.objects.create(
        member=m,
        organisation=branch,
        org_path=branch.path,
        opened_on=datetime.date(2026, 1, 1),
        first_unpaid_month=datetime.date(2025, 7, 1),
        months_unpaid=6,
    )
    api.force_authenticate(secretary)
    r = api.post(f"/api/dues/arrears-cases/{case.pk}/decide/", {"decision": "good_reason", "meeting_date": "2026-01-20"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "decided"


def test_member_sees_own_lines_only(api, data, branch, month):
    other = salaried(branch, "3000", month="2020-01")
    services.generate_month(branch, month, actor=system_actor("cli"))
    user = make_user("member", branch, member=data["member"])
    api.force_authenticate(user)
    rows = api.get("/api/dues/lines/").json()["results"]
    assert [r["member"] for r in rows] == [data["member"].pk]
    assert api.get(f"/api/dues/lines/{DuesLine.objects.get(member=other).pk}/").status_code == 404


def test_other_branch_gets_404(api, data, outsider, branch, month):
    m, line = data["member"], data["line"]
    services.record_payment(m, months=[month], amount="40.00", actor=system_actor("cli"))
    pay = Payment.objects.get()
    coll = services.hand_over(branch, month, amount="40.00", actor=system_actor("cli"))
    case = ArrearsCase.objects.create(
        member=m, organisation=branch, org_path=branch.path, opened_on=month, first_unpaid_month=month, months_unpaid=6
    )
    decl = m.dues_declarations.get()
    api.force_authenticate(outsider)
    assert api.get(f"/api/dues/lines/{line.pk}/").status_code == 404
    assert api.get(f"/api/dues/payments/{pay.pk}/").status_code == 404
    assert api.get(f"/api/dues/declarations/{decl.pk}/").status_code == 404
    assert api.get(f"/api/dues/collections/{coll.pk}/").status_code == 404
    assert api.get(f"/api/dues/arrears-cases/{case.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/dues/arrears-cases/{case.pk}/decide/", {"decision": "paid_up", "meeting_date": "2026-01-01"}, format="json"
        ).status_code
        == 404
    )
    assert api.post(f"/api/dues/collections/{coll.pk}/confirm/").status_code == 404
    assert api.get("/api/dues/lines/", {"organisation": branch.pk}).status_code == 404
    assert api.get("/api/dues/arrears/", {"organisation": branch.pk}).status_code == 404
    assert api.post("/api/dues/generate/", {"organisation": branch.pk, "month": f"{month:%Y-%m}"}, format="json").status_code == 404
    body = {"member": m.pk, "months": [f"{month:%Y-%m}"], "amount": "40.00"}
    assert api.post("/api/dues/payments/", body, format="json").status_code == 404
    body = {"member": m.pk, "category": "salaried", "base": "1", "effective_month": f"{month:%Y-%m}"}
    assert api.post("/api/dues/declarations/", body, format="json").status_code == 404
    body = {"organisation": branch.pk, "month": f"{month:%Y-%m}", "amount": "1"}
    assert api.post("/api/dues/collections/hand-over/", body, format="json").status_code == 404
    for url in ("/api/dues/lines/", "/api/dues/payments/", "/api/dues/declarations/", "/api/dues/collections/", "/api/dues/arrears-cases/"):
        assert api.get(url).json()["count"] == 0
    assert api.get("/api/dues/arrears/").json() == []


def test_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
