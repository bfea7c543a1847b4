"""关怀事由设置: the county administrator edits the occasions (domain-rules §13); others 404."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.care import services
from apps.care.models import CareOccasion

from .conftest import occasion

pytestmark = pytest.mark.django_db


def test_admin_edits_and_adds(admin):
    oc = services.save_occasion(
        occasion("july_first"), {"name": "七一走访慰问", "month": 6, "targets": ["old", "hardship"], "active": True}, actor=admin
    )
    assert (oc.month, oc.targets, oc.kind) == (6, ["old", "hardship"], "seasonal")
    new = services.save_occasion(None, {"code": "retired_visit", "kind": "must_visit", "name": "退休党员必访", "active": True}, actor=admin)
    assert CareOccasion.objects.get(code="retired_visit") == new


@pytest.mark.parametrize(
    "oc_code, data, field, text",
    [
        ("july_first", {"name": "七一走访慰问", "month": 7, "targets": []}, "targets", "须选择走访对象"),
        ("july_first", {"name": "七一走访慰问", "month": None, "targets": ["old"]}, "month", "通常月份"),
        ("july_first", {"name": "七一走访慰问", "month": 7, "targets": ["cadres"]}, "targets", "不在可选范围内"),
        ("illness", {"name": "党员生病住院必访", "targets": ["old"]}, "targets", "不设走访对象"),
        ("illness", {"name": "家庭遭遇困难必访"}, "name", "已被使用"),
        (None, {"code": "bad code!", "kind": "must_visit", "name": "x"}, "code", "英文字母"),
        (None, {"code": "illness", "kind": "must_visit", "name": "新事由"}, "code", "已被使用"),
    ],
)
def test_bad_input_nothing_changed(admin, oc_code, data, field, text):
    before = list(CareOccasion.objects.order_by("id").values_list("code", "name", "month", "targets"))
    with pytest.raises(ValidationError) as exc:
        services.save_occasion(occasion(oc_code) if oc_code else None, data, actor=admin)
    assert text in "".join(exc.value.message_dict[field])
    assert list(CareOccasion.objects.order_by("id").values_list("code", "name", "month", "targets")) == before


def test_only_configure(client, secretary, organiser):
    with pytest.raises(ValidationError, match="只有县委组织部"):
        services.save_occasion(occasion("illness"), {"name": "改名"}, actor=organiser)
    client.force_login(secretary)
    assert client.get(reverse("care:occasions")).status_code == 404
    assert client.post(reverse("care:occasion_edit"), {"row": occasion("illness").pk, "name": "改名", "order": 1}).status_code == 404
    assert occasion("illness").name == "党员生病住院必访"


def test_admin_pages(client, admin):
    client.force_login(admin)
    assert "思想出现波动必访" in client.get(reverse("care:occasions")).content.decode()
    r = client.post(reverse("care:occasion_edit"), {"row": occasion("wavering").pk, "name": "思想波动必访", "order": 30, "active": "on"})
    assert r.status_code == 302 and occasion("wavering").name == "思想波动必访"
