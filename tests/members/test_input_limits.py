"""Issue 12 item 18: names are plain names (no markup, no symbols, ≤ 40 characters),
备注 has a length limit, and every too-long value is refused with the product's own
Chinese message naming the field — on the web form, the API and the service alike."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.core.text import REMARKS_MAX
from apps.members import services
from apps.members.models import Member
from tests.factories import make_member, make_user, member_data
from tests.members.test_views import _form_post


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def sec(client, branch):
    client.force_login(make_user("branch_secretary", branch))
    return client


@pytest.mark.parametrize("name", ["<b>王</b>测试", "王<script>", "张&三", '李"四', "王;五", "赵\n六", "钱_七", "孙@八"])
def test_service_refuses_markup_and_symbols_in_names(branch, name):
    with pytest.raises(ValidationError) as exc:
        services.create_member(member_data(branch, name=name), actor=system_actor("cli"))
    assert "姓名" in exc.value.message_dict["name"][0] and "间隔号" in exc.value.message_dict["name"][0]
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"), [("阿依古丽·买买提", "阿依古丽·买买提"), ("阿依古丽•买买提", "阿依古丽·买买提"), ("欧阳修", "欧阳修")]
)
def test_real_names_pass_and_dots_are_normalised(branch, typed, stored):
    m = services.create_member(member_data(branch, name=typed), actor=system_actor("cli"))
    assert m.name == stored


def test_web_form_names_the_rule_for_a_long_or_marked_up_name(sec, branch):
    r = sec.post(reverse("members:create"), _form_post(branch, name="王" * 10_000))
    html = r.content.decode()
    assert r.status_code == 200 and "姓名不能超过40个字" in html
    assert "确保该值不超过" not in html and "Ensure this value" not in html
    r = sec.post(reverse("members:create"), _form_post(branch, name="<b>王</b>测试"))
    assert r.status_code == 200 and "间隔号" in r.content.decode()
    assert not Member.objects.exists()


def test_remarks_have_a_limit_on_web_api_and_service(sec, branch):
    too_long = "备" * (REMARKS_MAX + 1)
    r = sec.post(reverse("members:create"), _form_post(branch, remarks=too_long))
    html = r.content.decode()
    assert r.status_code == 200 and f"备注不能超过{REMARKS_MAX}个字" in html and "确保该值不超过" not in html
    with pytest.raises(ValidationError) as exc:
        services.create_member(member_data(branch, remarks=too_long), actor=system_actor("cli"))
    assert f"备注不能超过{REMARKS_MAX}个字" in exc.value.message_dict["remarks"][0]
    m = make_member(branch, remarks="备" * REMARKS_MAX)  # at the limit: accepted
    api = APIClient()
    api.force_authenticate(make_user("branch_secretary", branch))
    r = api.patch(f"/api/members/{m.pk}/", {"remarks": too_long}, format="json")
    assert r.status_code == 400 and f"备注不能超过{REMARKS_MAX}个字" in r.json()["remarks"][0]
    r = api.patch(f"/api/members/{m.pk}/", {"name": "王" * 10_000}, format="json")
    assert r.status_code == 400 and "姓名不能超过40个字" in r.json()["name"][0]
    m.refresh_from_db()
    assert len(m.remarks) == REMARKS_MAX


def test_development_file_names_follow_the_same_rule(branch):
    from apps.recruitment.models import DevelopmentFile
    from tests.recruitment.helpers import new_file

    with pytest.raises(ValidationError) as exc:
        new_file(branch, name="<b>王</b>测试")
    assert "间隔号" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        new_file(branch, name="王" * 41)
    assert "姓名不能超过40个字" in exc.value.message_dict["name"][0]
    assert not DevelopmentFile.objects.exists()
    assert new_file(branch, name="热依拉•吐尔逊").name == "热依拉·吐尔逊"
