"""Courseware files (课件库: "file or link on the intranet"): bounded, streamed uploads of
allowed types with Chinese errors, scoped and access-logged downloads; editing and deleting
venues and courseware with confirmation, history kept, 404 across branches."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.test import Client
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import AccessLog, ChangeLog
from apps.education import rules, services
from apps.education.models import Courseware, Venue
from apps.education.uploads import LimitedUploadHandler
from tests.factories import api_token

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
PDF = b"%PDF-1.4\n" + b"x" * 2000
PPTX = b"PK\x03\x04" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100


def client(user):
    c = Client()
    c.force_login(user)
    return c


def pdf(name="党课.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def form(branch, **over):
    data = {"organisation": branch.pk, "title": "学习党章", "minutes": 45, "category": "党章", "speaker": "书记"}
    data.update(over)
    return data


def stored():
    root = "education/courseware"
    if not default_storage.exists(root):
        return []
    return [f"{d}/{f}" for d in default_storage.listdir(root)[0] for f in default_storage.listdir(f"{root}/{d}")[1]]


def test_upload_download_access_logged_and_scoped(branch, secretary, outsider):
    c = client(secretary)
    r = c.post(reverse("education:courseware_new"), form(branch, file=pdf()))
    assert r.status_code == 302, r.content.decode()
    item = Courseware.objects.get()
    assert (item.file_name, item.file_size, item.link) == ("党课.pdf", len(PDF), "")
    assert item.file.name.startswith(f"education/courseware/{branch.pk}/")
    page = c.get(reverse("education:courseware"), {"org": branch.pk}).content.decode()
    assert reverse("education:courseware_download", args=[item.pk]) in page and "党课.pdf" in page
    r = c.get(reverse("education:courseware_download", args=[item.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]
    log = AccessLog.objects.get(target="下载课件：学习党章")
    assert (log.user, log.org_path, log.detail["courseware"]) == (secretary, branch.path, item.pk)
    # another branch: 404 and nothing logged
    assert client(outsider).get(reverse("education:courseware_download", args=[item.pk])).status_code == 404
    assert AccessLog.objects.filter(target__startswith="下载课件").count() == 1
    # the API lists the file and its (scoped) download address
    rows = Client(HTTP_AUTHORIZATION=f"Token {api_token(secretary)}").get("/api/education/courseware/").json()["results"]
    assert rows[0]["file_name"] == "党课.pdf" and rows[0]["download"] == reverse("education:courseware_download", args=[item.pk])


@pytest.mark.parametrize("name, data", [("演示.pptx", PPTX), ("视频.mp4", MP4), ("讲稿.pdf", PDF)])
def test_allowed_types(branch, name, data):
    item = services.add_courseware({"organisation": branch, "title": name, "minutes": 10, "file": pdf(name, data)}, actor=CLI)
    assert item.file_name == name and default_storage.open(item.file.name).read() == data


@pytest.mark.parametrize(
    "upload, text",
    [
        (pdf("病毒.exe", b"MZ\x90\x00"), "“病毒.exe”的类型不允许，只能上传 doc、docx、mp4、pdf、ppt、pptx 文件"),
        (pdf("无扩展名", PDF), "类型不允许"),
        (pdf("改名.pdf", b"MZ\x90\x00" * 10), "“改名.pdf”的内容不是PDF 文档（扩展名与文件内容不符）"),
        (pdf("假视频.mp4", PDF), "内容不是MP4 视频"),
    ],
)
def test_wrong_type_refused_in_chinese_nothing_written(branch, upload, text):
    with pytest.raises(ValidationError) as exc:
        services.add_courseware({"organisation": branch, "title": "坏文件", "minutes": 10, "file": upload}, actor=CLI)
    assert text in exc.value.message_dict["file"][0]
    assert not Courseware.objects.exists() and stored() == []


def test_too_big_is_cut_off_while_streaming(branch, secretary, monkeypatch):
    monkeypatch.setattr(rules, "COURSEWARE_MAX_BYTES", 1024)
    r = client(secretary).post(reverse("education:courseware_new"), form(branch, file=pdf()))
    html = r.content.decode()
    assert r.status_code == 200 and "课件文件“党课.pdf”超过上限1KB，未保存" in html
    assert not Courseware.objects.exists() and stored() == []
    # the service refuses an oversized file too (API, CLI)
    with pytest.raises(ValidationError) as exc:
        services.add_courseware({"organisation": branch, "title": "大文件", "minutes": 10, "file": pdf()}, actor=CLI)
    assert "超过上限1KB" in exc.value.message_dict["file"][0]


def test_handler_counts_chunks_and_skips_past_the_limit(rf):
    request = rf.post("/")
    handler = LimitedUploadHandler(request, limit=10)
    handler.new_file("file", "a.pdf", "application/pdf", 100)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"  # passed on, not kept
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"678901", 5)
    assert request.too_big_uploads == ["a.pdf"]


def test_link_or_file_required(branch):
    with pytest.raises(ValidationError) as exc:
        services.add_courseware({"organisation": branch, "title": "空", "minutes": 10}, actor=CLI)
    assert exc.value.message_dict["link"] == ["请填写内网地址或上传课件文件（二者至少一项）"]


def test_edit_replaces_the_file_keeps_history_and_deletes_with_confirmation(
    branch, secretary, outsider, django_capture_on_commit_callbacks
):
    item = services.add_courseware({"organisation": branch, "title": "旧课件", "minutes": 10, "file": pdf("旧.pdf")}, actor=CLI)
    old_name = item.file.name
    c = client(secretary)
    url = reverse("education:courseware_edit", args=[item.pk])
    assert "已上传文件：旧.pdf" in c.get(url).content.decode()
    # another branch: 404 for the form, the change and the deletion, nothing changed
    other = client(outsider)
    assert other.get(url).status_code == 404
    assert other.post(url, {"title": "越权", "minutes": 5, "link": "http://x"}).status_code == 404
    assert other.post(reverse("education:courseware_delete", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.title == "旧课件"
    # removing the file without a link is refused
    r = c.post(url, {"title": "旧课件", "minutes": 10, "remove_file": "on"})
    assert "请填写内网地址或上传课件文件" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"title": "新课件", "minutes": 20, "file": pdf("新.pdf")})
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.file_name) == ("新课件", "新.pdf") and not default_storage.exists(old_name)
    change = ChangeLog.objects.filter(object_id=str(item.pk), action=ChangeLog.Action.UPDATE).latest("id")
    assert change.before["title"] == "旧课件" and change.before["file"] == old_name
    delete_url = reverse("education:courseware_delete", args=[item.pk])
    assert "确定删除“新课件”吗" in c.get(delete_url).content.decode()
    assert Courseware.objects.exists()  # the GET only asks
    name = item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(delete_url).status_code == 302
    assert not Courseware.objects.exists() and not default_storage.exists(name)
    gone = ChangeLog.objects.get(object_id=str(item.pk), action=ChangeLog.Action.DELETE)
    assert gone.before["title"] == "新课件"


def test_venue_edit_and_delete(branch, secretary, outsider):
    a = services.add_venue({"organisation": branch, "kind": "activity_room", "name": "活动室"}, actor=CLI)
    services.add_venue({"organisation": branch, "kind": "media_room", "name": "电教室"}, actor=CLI)
    c = client(secretary)
    url = reverse("education:venue_edit", args=[a.pk])
    r = c.post(url, {"kind": "activity_room", "name": "电教室"})
    assert "本组织已登记同名的学习阵地" in r.content.decode()
    r = c.post(url, {"kind": "distance_site", "name": "远程教育站点", "seats": "-1"})
    assert r.status_code == 200 and Venue.objects.get(pk=a.pk).name == "活动室"
    assert c.post(url, {"kind": "distance_site", "name": "远程教育站点", "seats": 30}).status_code == 302
    a.refresh_from_db()
    assert (a.kind, a.name, a.seats) == ("distance_site", "远程教育站点", 30)
    assert ChangeLog.objects.filter(object_id=str(a.pk), action=ChangeLog.Action.UPDATE).get().before["name"] == "活动室"
    other = client(outsider)
    for name in ("education:venue_edit", "education:venue_delete"):
        assert other.get(reverse(name, args=[a.pk])).status_code == 404
        assert other.post(reverse(name, args=[a.pk]), {"kind": "other", "name": "越权"}).status_code == 404
    assert Venue.objects.filter(pk=a.pk, name="远程教育站点").exists()
    assert c.post(reverse("education:venue_delete", args=[a.pk])).status_code == 302
    assert not Venue.objects.filter(pk=a.pk).exists()
    assert ChangeLog.objects.filter(object_id=str(a.pk), action=ChangeLog.Action.DELETE).exists()


@pytest.mark.parametrize("name", ["education:courseware", "education:venues"])
def test_lists_with_actions_run_fixed_queries(branch, secretary, django_assert_max_num_queries, name):
    c = client(secretary)

    def add(n, tag):
        for i in range(n):
            services.add_courseware({"organisation": branch, "title": f"{tag}{i}", "minutes": 10, "file": pdf()}, actor=CLI)
            services.add_venue({"organisation": branch, "kind": "activity_room", "name": f"{tag}{i}"}, actor=CLI)

    add(1, "甲")
    c.get(reverse(name))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        c.get(reverse(name))
    add(6, "乙")
    with CaptureQueriesContext(connection) as big:
        html = c.get(reverse(name)).content.decode()
    assert len(big) == len(small)
    assert html.count(">修改</a>") == 7


def test_upload_with_csrf_enforced(branch, secretary, monkeypatch):
    """The size-limiting handler is installed before CSRF reads the body (csrf_exempt on
    the outer view, csrf_protect inside): a real form post with its token works, and a
    post without the token is refused."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(secretary)
    url = reverse("education:courseware_new")
    page = c.get(url)
    token = page.cookies["csrftoken"].value
    assert c.post(url, form(branch, file=pdf())).status_code == 403
    assert not Courseware.objects.exists()
    r = c.post(url, {**form(branch, file=pdf()), "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and Courseware.objects.get().file_name == "党课.pdf"
    monkeypatch.setattr(rules, "COURSEWARE_MAX_BYTES", 1024)
    r = c.post(url, {**form(branch, title="大文件", file=pdf()), "csrfmiddlewaretoken": token})
    assert "超过上限1KB，未保存" in r.content.decode() and Courseware.objects.count() == 1
