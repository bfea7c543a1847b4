import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.members.idnumber import compose
from apps.members.models import Member, MemberStatusChange, MemberTransferHistory
from tests.factories import make_member, make_user, member_data


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other(tree):
    return tree["branches"][1][0]


@pytest.fixture
def sec(client, branch):
    user = make_user("branch_secretary", branch)
    client.force_login(user)
    return client


def _form_post(org, **overrides):
    data = member_data(org, **overrides)
    post = {k: v for k, v in data.items() if k != "organisation"}
    post["organisation"] = org.pk
    for k, v in list(post.items()):
        if isinstance(v, datetime.date):
            post[k] = v.isoformat()
    return post


def test_list_masks_and_searches(sec, branch, other):
    zs = make_member(branch, name="张三")
    make_member(branch, name="李四")
    hidden = make_member(other, name="张三丰")
    url = reverse("members:list")
    html = sec.get(url).content.decode()
    assert "张三" in html and "李四" in html and "张三丰" not in html
    assert zs.id_number_masked in html and zs.reveal_id_number() not in html
    assert zs.phone_masked in html and zs.reveal_phone() not in html
    for q in ("zhangsan", "zs", "张三", zs.reveal_id_number()[-4:]):
        html = sec.get(url, {"q": q}).content.decode()
        assert "张三" in html and "李四" not in html, q
    assert hidden.name not in sec.get(url, {"q": "zsf"}).content.decode()


def test_list_filters_age_join_category(sec, branch):
    today = datetime.date.today()
    young = make_member(
        branch,
        birth_date=today.replace(year=today.year - 25) - datetime.timedelta(days=3),
        join_date=datetime.date(2020, 7, 1),
        conversion_date=datetime.date(2021, 7, 1),
    )
    old = make_member(
        branch,
        birth_date=datetime.date(1950, 3, 3),
        join_date=datetime.date(1975, 7, 1),
        conversion_date=datetime.date(1976, 7, 1),
        categories=["retired"],
    )
    url = reverse("members:list")
    html = sec.get(url, {"age_band": "youth"}).content.decode()
    assert young.name in html and old.name not in html
    html = sec.get(url, {"join_period": "to_1978"}).content.decode()
    assert old.name in html and young.name not in html
    html = sec.get(url, {"category": "retired"}).content.decode()
    assert old.name in html and young.name not in html
    r = sec.get(url, {"age_band": "nonsense"})
    assert r.status_code == 200 and "没有符合条件的党员" in r.content.decode()


def test_list_paging_and_capped_count(sec, branch, monkeypatch):
    for _ in range(5):
        make_member(branch)
    monkeypatch.setattr("apps.members.views.PAGE_SIZE", 2)
    html = sec.get(reverse("members:list")).content.decode()
    assert "共 5 条" in html and "下一页" in html
    html = sec.get(reverse("members:list"), {"page": 3}).content.decode()
    assert "上一页" in html and "下一页" not in html
    monkeypatch.setattr("apps.members.selectors.COUNT_CAP", 3)  # 5 members: counted to 3, "more than 3"
    assert "超过3条" in sec.get(reverse("members:list")).content.decode()


def test_list_query_count_constant(sec, branch):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert sec.get(reverse("members:list"), {"org": branch.pk, "q": "z"}).status_code == 200
        return len(ctx)

    for i in range(3):
        make_member(branch, categories=["rural"] if i % 2 else [])
    few = count()
    for i in range(27):
        make_member(branch, categories=["rural"] if i % 2 else [])
    assert count() == few


def test_detail_and_cross_branch(sec, branch, other):
    m = make_member(branch)
    html = sec.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert m.name in html and m.id_number_masked in html and m.reveal_id_number() not in html
    assert "显示完整身份证号" in html and "建立党员档案" in html
    hidden = make_member(other)
    for name in ("detail", "edit", "status", "move"):
        assert sec.get(reverse(f"members:{name}", args=[hidden.pk])).status_code == 404
        assert sec.post(reverse(f"members:{name}", args=[hidden.pk]), {"name": "x"}).status_code == 404
    assert sec.post(reverse("members:reveal", args=[hidden.pk, "id_number"])).status_code == 404
    hidden.refresh_from_db()
    assert hidden.name != "x"


def test_detail_query_count_constant(sec, branch):
    m = make_member(branch)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            sec.get(reverse("members:detail", args=[m.pk]))
        return len(ctx)

    few = count()
    for i in range(5):
        from apps.members.services import update_member

        update_member(m, {"address": f"地址{i}"}, actor=system_actor("cli"))
    assert count() == few


def test_reveal_logged(sec, branch):
    m = make_member(branch)
    r = sec.post(reverse("members:reveal", args=[m.pk, "id_number"]))
    assert r.status_code == 200 and m.reveal_id_number() in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    r = sec.post(reverse("members:reveal", args=[m.pk, "phone"]))
    assert m.reveal_phone() in r.content.decode()
    kinds = list(AccessLog.objects.filter(org_path=m.org_path, kind__startswith="reveal").values_list("kind", flat=True))
    assert sorted(kinds) == sorted([AccessLog.Kind.REVEAL_ID, AccessLog.Kind.REVEAL_PHONE])
    assert sec.get(reverse("members:reveal", args=[m.pk, "phone"])).status_code == 405
    assert sec.post(reverse("members:reveal", args=[m.pk, "name"])).status_code == 404


def test_reveal_refused_without_reveal_action(client, branch):
    m = make_member(branch)
    inspector = make_user("inspector", branch)
    client.force_login(inspector)
    html = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "显示完整身份证号" not in html
    r = client.post(reverse("members:reveal", args=[m.pk, "id_number"]))
    assert r.status_code == 403 and m.reveal_id_number() not in r.content.decode()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).exists()
    # …and cannot edit
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 404


def test_create_happy(sec, branch):
    assert sec.get(reverse("members:create"), {"org": branch.pk}).status_code == 200
    post = _form_post(branch, name="王五", categories=["rural"])
    post["categories"] = ["rural"]
    r = sec.post(reverse("members:create"), post)
    assert r.status_code == 302, r.content.decode()
    m = Member.objects.get(name="王五")
    assert m.organisation == branch and m.category_codes() == ["rural"]


def test_create_bad_input_chinese_errors_nothing_written(sec, branch):
    post = _form_post(branch)
    post["id_number"] = post["id_number"][:-1] + ("0" if post["id_number"][-1] != "0" else "1")
    post["name"] = ""
    post["conversion_date"] = "2009-01-01"
    r = sec.post(reverse("members:create"), post)
    html = r.content.decode()
    assert r.status_code == 200
    assert "姓名为必填项" in html and "身份证号" in html and "校验" in html
    assert Member.objects.count() == 0


def test_create_in_other_branch_refused(sec, other):
    r = sec.post(reverse("members:create"), _form_post(other))
    assert (r.status_code == 200 and "有效的选项" in r.content.decode()) or "不在您的" in r.content.decode()
    assert Member.objects.count() == 0


def test_edit_happy_and_error(sec, branch):
    m = make_member(branch)
    url = reverse("members:edit", args=[m.pk])
    assert sec.get(url).status_code == 200
    post = _form_post(branch)
    post.update({"name": m.name, "sex": m.sex, "birth_date": m.birth_date.isoformat(), "id_number": "", "phone": "", "work_unit": "县医院"})
    r = sec.post(url, post)
    assert r.status_code == 302, r.content.decode()
    m.refresh_from_db()
    assert m.work_unit == "县医院" and m.id_number_masked  # unchanged ID
    post["sex"] = "F" if m.sex == "M" else "M"
    r = sec.post(url, post)
    assert "性别与身份证号不一致" in r.content.decode()
    sex = m.sex
    m.refresh_from_db()
    assert m.sex == sex
    html = sec.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "工作单位" in html and "县医院" in html


def test_change_status(sec, branch):
    m = make_member(branch)
    url = reverse("members:status", args=[m.pk])
    assert sec.get(url).status_code == 200
    r = sec.post(url, {"status": "lost_contact", "date": datetime.date.today().isoformat()})
    assert "标记失联须填写失联原因" in r.content.decode()
    r = sec.post(url, {"status": "", "date": ""})
    assert "新的党籍状态为必填项" in r.content.decode()
    assert MemberStatusChange.objects.filter(member=m).count() == 1
    r = sec.post(url, {"status": "mobile", "date": datetime.date.today().isoformat(), "reason": "外出务工"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == "mobile"
    assert "外出务工" in sec.get(reverse("members:detail", args=[m.pk])).content.decode()


def test_move_member(client, tree, branch):
    m = make_member(branch)
    admin = make_user("committee_organiser", tree["committees"][0])
    client.force_login(admin)
    url = reverse("members:move", args=[m.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"organisation": "", "date": ""})
    assert "转入党组织为必填项" in r.content.decode()
    # another committee's branch is outside this organiser's scope: not even a choice
    r = client.post(url, {"organisation": tree["branches"][1][0].pk, "date": datetime.date.today().isoformat()})
    assert r.status_code == 200 and not MemberTransferHistory.objects.exists()
    target = tree["branches"][0][1]
    r = client.post(url, {"organisation": target.pk, "date": datetime.date.today().isoformat(), "reason": "工作调动"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.organisation == target and m.org_path == target.path


def test_me_self_edit(client, branch):
    m = make_member(branch)
    user = make_user("member", branch, member=m)
    client.force_login(user)
    url = reverse("members:me")
    html = client.get(url).content.decode()
    assert m.name in html and 'name="phone"' in html and 'name="name"' not in html
    r = client.post(url, {"phone": "12", "address": ""})
    assert "电话" in r.content.decode()
    r = client.post(url, {"phone": "13900001111", "address": "幸福路1号", "name": "改名"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.reveal_phone() == "13900001111" and m.address == "幸福路1号" and m.name != "改名"
    # the member role sees nobody else
    other = make_member(branch)
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 404


def test_me_without_member_record_404(sec):
    assert sec.get(reverse("members:me")).status_code == 404


def test_id_15_digit_input_upgraded(sec, branch):
    birth = datetime.date(1970, 5, 6)
    full = compose("350525", birth, 77, "M")
    short = full[:6] + full[8:17]
    post = _form_post(branch, birth_date=birth, sex="M")
    post["id_number"] = short
    post["join_date"] = "2000-07-01"
    post["conversion_date"] = "2001-07-01"
    r = sec.post(reverse("members:create"), post)
    assert r.status_code == 302, r.content.decode()
