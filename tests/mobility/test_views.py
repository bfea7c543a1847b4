import pytest
from django.test import Client
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.mobility import services
from apps.mobility.models import MobileRecord, Transfer
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")


def client(user):
    c = Client()
    c.force_login(user)
    return c


def _transfer(member, to):
    return services.request_transfer(member, {"to_organisation": to, "reason": "工作调动"}, actor=SYSTEM)


def test_pages_render(branch, sibling, secretary, admin):
    m = make_member(branch)
    t = _transfer(m, sibling)
    r = services.register_mobile(
        make_member(branch), {"reason": "务工", "destination": "深圳", "months": 3, "home_contact": "书记"}, actor=SYSTEM
    )
    c = client(admin)
    for name, args in [
        ("mobility:transfers", []),
        ("mobility:transfer_new", []),
        ("mobility:arrival", []),
        ("mobility:transfer", [t.pk]),
        ("mobility:mobile", []),
        ("mobility:mobile_new", []),
        ("mobility:mobile_record", [r.pk]),
        ("mobility:host", []),
        ("mobility:temporary", []),
        ("mobility:registers", []),
    ]:
        response = c.get(reverse(name, args=args))
        assert response.status_code == 200, name
    for tab in ("cards", "retired", "unemployed"):
        assert c.get(reverse("mobility:registers") + f"?tab={tab}").status_code == 200


def test_member_requests_and_branch_approves_on_the_web(branch, sibling, secretary, organiser):
    member = make_member(branch, name="上官小燕")
    user = make_user("member", branch, member=member)
    c = client(user)
    response = c.post(reverse("mobility:my"), {"kind": "internal", "to_organisation": sibling.code, "reason": "随迁"})
    assert response.status_code == 302
    t = Transfer.objects.get(member=member)
    assert t.next_step == "branch"
    page = c.get(reverse("mobility:my")).content.decode()
    assert "党支部同意转出" in page
    # the branch approves, the committee approves: the letter is issued
    sc = client(secretary)
    assert "上官小燕" in sc.get(reverse("mobility:transfers")).content.decode()
    sc.post(reverse("mobility:transfer_act", args=[t.pk]), {"op": "approve"})
    client(organiser).post(reverse("mobility:transfer_act", args=[t.pk]), {"op": "approve"})
    t.refresh_from_db()
    assert t.status == "issued"
    # the letter downloads as a PDF and is access-logged
    n = AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).count()
    response = sc.get(reverse("mobility:transfer_letter", args=[t.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).count() == n + 1
    # the receiver accepts
    receiver = make_user("branch_secretary", sibling)
    rc = client(receiver)
    assert "上官小燕" in rc.get(reverse("mobility:transfers")).content.decode()
    rc.post(reverse("mobility:transfer_act", args=[t.pk]), {"op": "accept"})
    t.refresh_from_db()
    assert t.status == "received"
    member.refresh_from_db()
    assert member.organisation_id == sibling.pk


def test_bad_input_shows_chinese_message(branch, secretary):
    m = make_member(branch)
    c = client(secretary)
    response = c.post(
        reverse("mobility:transfer_new"), {"member": m.pk, "kind": "internal", "to_organisation": branch.code, "reason": "调动"}
    )
    assert response.status_code == 200
    assert "不能是该党员现在所在" in response.content.decode()
    assert not Transfer.objects.exists()


def test_other_side_sees_but_cannot_act(branch, sibling, far_secretary, secretary):
    t = _transfer(make_member(branch), sibling)
    receiver = make_user("branch_secretary", sibling)
    response = client(receiver).post(reverse("mobility:transfer_act", args=[t.pk]), {"op": "approve"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.next_step == "branch" and not t.steps.exists()
    assert client(far_secretary).get(reverse("mobility:transfer", args=[t.pk])).status_code == 404


@pytest.mark.parametrize("n", [3, 12])
def test_list_queries_fixed(n, branch, sibling, admin, django_assert_max_num_queries):
    for _ in range(n):
        _transfer(make_member(branch), sibling)
        services.register_mobile(
            make_member(branch), {"reason": "务工", "destination": "深圳", "months": 3, "home_contact": "书记"}, actor=SYSTEM
        )
    c = client(admin)
    c.get(reverse("mobility:transfers"))  # warm the session/menu caches
    with django_assert_max_num_queries(16):
        assert c.get(reverse("mobility:transfers")).status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get(reverse("mobility:mobile")).status_code == 200


def test_certificate_download(branch, secretary):
    m = make_member(branch)
    services.register_mobile(m, {"reason": "务工", "destination": "深圳", "months": 3, "home_contact": "书记"}, actor=SYSTEM)
    response = client(secretary).get(reverse("mobility:certificate", args=[m.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert MobileRecord.objects.get(member=m).certificate_no in AccessLog.objects.latest("id").target


def test_exports(branch, sibling, admin):
    _transfer(make_member(branch, name="诸葛明"), sibling)
    response = client(admin).post(reverse("excel:export_mobility_transfers"))
    assert response.status_code == 200
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "诸葛明" in values and "党员" in values


def test_api_flow(branch, sibling, secretary, organiser):
    from rest_framework.test import APIClient

    m = make_member(branch)
    api = APIClient()
    api.force_authenticate(secretary)
    r = api.post("/api/mobility/transfers/", {"member": m.pk, "to_organisation": sibling.pk, "reason": "调动"}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.post(f"/api/mobility/transfers/{pk}/act/", {"op": "approve"}, format="json")
    assert r.status_code == 200 and r.json()["next_step"] == "committee"
    r = api.post(f"/api/mobility/transfers/{pk}/act/", {"op": "approve"}, format="json")
    assert r.status_code == 403  # the committee's step
    r = api.post("/api/mobility/transfers/", {"member": m.pk, "to_organisation": sibling.pk, "reason": "调动"}, format="json")
    assert r.status_code == 400 and "未办结" in r.content.decode()
    r = api.post(
        "/api/mobility/mobile-records/",
        {"member": m.pk, "reason": "务工", "destination": "深圳", "months": 99, "home_contact": "书记"},
        format="json",
    )
    assert r.status_code == 400 and "外出期限" in r.content.decode()
