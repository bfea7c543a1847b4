"""The kit's view shapes (apps.core.formviews) and API write steps (apps.core.api.actions):
a refusal is shown in Chinese and nothing else happens, an object outside the caller's
scope is a 404, a write says what it did and goes where the view said."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.test import APIRequestFactory

from apps.core.api.actions import ServiceActions
from apps.core.forms import form_error_text
from apps.core.formviews import act, confirm_delete, saved, write_page
from apps.core.scoping import OutOfScope, ScopeError


class DateForm(forms.Form):
    on = forms.DateField(label="日期")


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/x/", data or {})
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_button_writes_says_so_and_goes_back():
    request = _request(data={"on": "2024-05-01"})
    written = []
    response = act(request, written.append, form=DateForm(request.POST), back="/back/", success=lambda _: "已办理")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [str(d["on"]) for d in written] == ["2024-05-01"]
    assert _said(request) == [("success", "已办理")]


def test_a_button_with_an_invalid_form_writes_nothing():
    request = _request(data={"on": "昨天"})
    written = []
    response = act(request, written.append, form=DateForm(request.POST), back="/back/", success="已办理")
    assert response["Location"] == "/back/" and written == []
    assert _said(request) == [("error", "日期：输入一个有效的日期。")]
    request = _request(data={})
    act(request, written.append, form=DateForm(request.POST), invalid="请填写日期", back="/back/", success="已办理")
    assert _said(request) == [("error", "请填写日期")] and written == []


def test_a_refused_button_flashes_the_service_message_and_goes_back():
    def refuse(_):
        raise ValidationError({"on": ["办理日期不能早于立案日期"]})

    request = _request()
    response = act(request, refuse, back=("core:home",), success="已办理", then="/elsewhere/")
    assert response["Location"] == "/" and _said(request) == [("error", "办理日期不能早于立案日期")]

    def out_of_scope(_):
        raise OutOfScope()

    with pytest.raises(Http404):
        act(_request(), out_of_scope, back="/back/", success="已办理")


def test_saved_returns_nothing_until_the_service_writes():
    request = _request(data={"on": "2024-05-01"})
    form = DateForm(request.POST)

    def refuse(_):
        raise ScopeError("“一支部”不在您的维护权限范围内，操作被拒绝")

    assert saved(request, form, refuse, success="已保存", then="/done/") is None
    assert form.errors == {"__all__": ["“一支部”不在您的维护权限范围内，操作被拒绝"]}
    form = DateForm(request.POST)
    response = saved(request, form, lambda d: d["on"].year, success=lambda y: f"已保存{y}年", then=lambda y: f"/year/{y}/")
    assert response["Location"] == "/year/2024/" and ("success", "已保存2024年") in _said(request)
    assert saved(_request("get"), DateForm(), lambda d: 1 / 0, success="", then="/") is None  # a GET writes nothing


@pytest.mark.django_db
def test_write_page_shows_the_form_with_the_refusal_on_its_field():
    request = _request(data={"on": "2024-05-01"})
    request.user = type("U", (), {"is_authenticated": True})()

    def refuse(_):
        raise ValidationError({"on": ["日期不在本年度"]})

    form = DateForm(request.POST)
    response = write_page(request, form, refuse, title="登记", back="/back/", success="已登记")
    assert response.status_code == 200 and form.errors == {"on": ["日期不在本年度"]}


def test_confirm_delete_asks_first_then_deletes_through_the_service():
    deleted = []
    request = _request("get")
    request.user = type("U", (), {"is_authenticated": False})()
    response = confirm_delete(request, "试题1", lambda: deleted.append(1), what="试题", back="/back/")
    assert response.status_code == 200 and "确定删除“试题1”吗" in response.content.decode() and deleted == []
    request = _request()
    response = confirm_delete(request, "试题1", lambda: deleted.append(1), what="试题", back="/back/", then="/list/")
    assert response["Location"] == "/list/" and deleted == [1]
    assert _said(request) == [("success", "已删除“试题1”（修改记录中保留删除前的内容）")]

    def refuse():
        raise ValidationError("已被作答的试题不能删除")

    request = _request()
    response = confirm_delete(request, "试题1", refuse, what="试题", back="/back/", then="/list/", refused="/detail/")
    assert response["Location"] == "/detail/" and _said(request) == [("error", "已被作答的试题不能删除")]


def test_form_error_text_names_each_field():
    form = DateForm({"on": "x"})
    assert form_error_text(form) == "日期：输入一个有效的日期。"


class _On(serializers.Serializer):
    on = serializers.DateField()


class _Echo(serializers.Serializer):
    year = serializers.IntegerField()


class _View(ServiceActions):
    def __init__(self, request):
        self.request = request


def test_service_actions_validate_write_and_reply():
    request = APIRequestFactory().post("/x/", {"on": "2024-05-01"}, format="json")
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request

    view = _View(Request(request, parsers=[JSONParser()]))
    assert str(view.body(_On)["on"]) == "2024-05-01"
    response = view.reply(_Echo, {"year": 2024}, created=True)
    assert response.status_code == 201 and response.data == {"year": 2024}
    assert view.reply(lambda r: {"n": r}, 3).data == {"n": 3}
    bad = _View(Request(APIRequestFactory().post("/x/", {"on": "x"}, format="json"), parsers=[JSONParser()]))
    with pytest.raises(ApiValidationError):
        bad.body(_On)
