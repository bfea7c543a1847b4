import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AccessLog
from apps.orglife import services
from apps.orglife.models import Attachment, Attendance, Exclusion, Meeting
from tests.factories import make_member, make_user

from .conftest import CLI, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec_client(client, secretary):
    client.force_login(secretary)
    return client


def test_phone_entry_of_this_months_theme_day(sec_client, branch, members):
    url = reverse("orglife:quick")
    page = sec_client.get(url)
    assert page.status_code == 200 and members[0].name in page.content.decode()
    today = timezone.localdate()
    photo = SimpleUploadedFile("合影.jpg", b"\xff\xd8\xff" + b"1" * 50, content_type="image/jpeg")
    r = sec_client.post(
        url,
        {
            "org": branch.pk,
            "theme": "重温入党誓词",
            "held_on": today.isoformat(),
            "absent": [members[0].pk, members[1].pk],
            f"l_{members[1].pk}": "出差",
            "photo": photo,
        },
    )
    m = Meeting.objects.get(organisation=branch, kind="theme_day")
    assert r.status_code == 302 and r["Location"] == reverse("orglife:meeting_detail", args=[m.pk])
    statuses = dict(Attendance.objects.filter(meeting=m).values_list("member_id", "status"))
    assert statuses[members[0].pk] == "absent" and statuses[members[1].pk] == "leave" and statuses[members[2].pk] == "present"
    assert Attachment.objects.filter(meeting=m, kind="photo").count() == 1
    # opened again the same month: the ticks are shown, saving replaces
    again = sec_client.get(url).content.decode()
    assert "本月已登记" in again and f'value="{members[0].pk}" checked' in again
    detail = sec_client.get(reverse("orglife:meeting_detail", args=[m.pk])).content.decode()
    assert "应到5人，实到3人" in detail


def test_quick_entry_refuses_a_missing_theme(sec_client, branch, members):
    r = sec_client.post(reverse("orglife:quick"), {"org": branch.pk, "theme": "", "held_on": timezone.localdate().isoformat()})
    assert r.status_code == 200 and "活动主题" in r.content.decode()
    assert not Meeting.objects.exists()


def test_new_meeting_then_attendance_form(sec_client, branch, members):
    r = sec_client.post(
        reverse("orglife:meeting_new"),
        {
            "organisation": branch.pk,
            "kind": "party_lecture",
            "status": "held",
            "held_on": "2025-03-20",
            "topic": "党课",
            "lecturer": "王书记",
            "lecture_topic": "党性修养",
        },
    )
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("orglife:attendance", args=[m.pk])
    form = sec_client.get(r["Location"]).content.decode()
    assert members[4].name in form and "预备" in form
    r = sec_client.post(reverse("orglife:attendance", args=[m.pk]), {f"s_{members[0].pk}": "leave", f"r_{members[0].pk}": ""})
    assert r.status_code == 200 and "请假须填写事由" in r.content.decode()
    assert not Attendance.objects.exists()
    r = sec_client.post(reverse("orglife:attendance", args=[m.pk]), {f"s_{members[0].pk}": "leave", f"r_{members[0].pk}": "出差"})
    assert r.status_code == 302
    assert Attendance.objects.get(meeting=m, member=members[0]).status == "leave"


def test_future_held_meeting_is_refused_on_the_form(sec_client, branch):
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    r = sec_client.post(
        reverse("orglife:meeting_new"),
        {"organisation": branch.pk, "kind": "theme_day", "status": "held", "held_on": future, "topic": "x", "theme": "y"},
    )
    assert r.status_code == 200 and "不能登记为已召开" in r.content.decode()
    assert not Meeting.objects.exists()


def test_another_branch_gets_404(client, branch, members, outsider):
    m = services.record_attendance(meeting(branch), [], actor=CLI)
    att = services.add_attachment(m, SimpleUploadedFile("a.jpg", b"\xff\xd8\xff1"), actor=CLI)
    ex = services.create_exclusion(
        members[0],
        {"reason": "abroad", "starts_on": datetime.date(2026, 1, 1), "approved_by": "党委", "approved_on": datetime.date(2025, 12, 1)},
        actor=CLI,
    )
    client.force_login(outsider)
    for name, pk in [("meeting_detail", m.pk), ("meeting_edit", m.pk), ("attendance", m.pk), ("attachment_download", att.pk)]:
        assert client.get(reverse(f"orglife:{name}", args=[pk])).status_code == 404, name
    assert client.post(reverse("orglife:attendance", args=[m.pk]), {f"s_{members[0].pk}": "absent"}).status_code == 404
    assert client.post(reverse("orglife:exclusion_end", args=[ex.pk]), {"ends_on": "2026-02-01"}).status_code == 404
    assert client.get(reverse("orglife:quick"), {"org": branch.pk}).status_code == 404
    assert Attendance.objects.get(meeting=m, member=members[0]).status == "present"
    assert Exclusion.objects.get(pk=ex.pk).ends_on is None
    listing = client.get(reverse("orglife:meetings")).content.decode()
    assert m.topic not in listing or branch.name not in listing


def test_lists_render_and_export_is_logged(sec_client, branch, members):
    services.record_attendance(meeting(branch), [{"member": members[0].pk, "status": "absent"}], actor=CLI)
    for name in ("meetings", "compliance", "absences", "exclusions"):
        r = sec_client.get(reverse(f"orglife:{name}"))
        assert r.status_code == 200, name
    r = sec_client.post(reverse("excel:export_orglife_meetings"))
    assert r.status_code == 200
    assert AccessLog.objects.filter(kind="export").exists()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for c in sheet[2]]
    assert "主题党日" in values and branch.name in values


def test_meeting_list_query_count_does_not_grow(sec_client, branch, members, django_assert_max_num_queries):
    meeting(branch)
    with django_assert_max_num_queries(30) as few:
        assert sec_client.get(reverse("orglife:meetings")).status_code == 200
    for day in range(1, 20):
        meeting(branch, held_on=datetime.date(2025, 5, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert sec_client.get(reverse("orglife:meetings")).status_code == 200


def test_absence_list_query_count_does_not_grow(sec_client, branch, django_assert_max_num_queries):
    def absent_run(member):
        for month in (1, 2, 3, 4):
            m = Meeting.objects.filter(organisation=branch, held_on__month=month).first() or meeting(
                branch, held_on=datetime.date(2025, month, 9)
            )
            services.record_attendance(m, [{"member": member.pk, "status": "absent"}], actor=CLI)

    absent_run(make_member(branch))
    with django_assert_max_num_queries(30) as few:
        page = sec_client.get(reverse("orglife:absences")).content.decode()
    assert "连续" in page
    Meeting.objects.all().delete()
    people = [make_member(branch) for _ in range(6)]
    for month in (1, 2, 3, 4):
        m = meeting(branch, held_on=datetime.date(2025, month, 9))
        services.record_attendance(m, [{"member": p.pk, "status": "absent"} for p in people], actor=CLI)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = sec_client.get(reverse("orglife:absences")).content.decode()
    assert all(p.name in page for p in people)


def test_member_sees_own_history_only(client, branch, members):
    services.record_attendance(meeting(branch), [{"member": members[1].pk, "status": "leave", "reason": "出差"}], actor=CLI)
    user = make_user("member", branch, member=members[0])
    client.force_login(user)
    page = client.get(reverse("orglife:my")).content.decode()
    assert "出席" in page and "出差" not in page
    assert client.get(reverse("orglife:meetings")).status_code == 302
    m = Meeting.objects.get()
    assert client.get(reverse("orglife:meeting_detail", args=[m.pk])).status_code == 404


def test_settings_page_for_county_admin_only(client, tree, secretary):
    client.force_login(secretary)
    assert client.get(reverse("orglife:settings")).status_code == 404
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    page = client.get(reverse("orglife:settings"))
    assert page.status_code == 200
    text = page.content.decode()
    # the rules read in words, not codes
    assert "民主生活会" in text and "领导班子成员" in text and "到会不少于应到人数的二分之一" in text and "每季度" in text
    assert ">monthly<" not in text and ">half<" not in text and ">leadership<" not in text


def test_exclusion_form_creates_and_refuses(sec_client, branch, members):
    data = {"member": members[0].pk, "reason": "abroad", "starts_on": "2026-01-01", "approved_by": "", "approved_on": "2025-12-20"}
    r = sec_client.post(reverse("orglife:exclusions"), data)
    assert r.status_code == 200 and not Exclusion.objects.exists()
    r = sec_client.post(reverse("orglife:exclusions"), {**data, "approved_by": "测试第1镇党委"})
    assert r.status_code == 302 and Exclusion.objects.get().member == members[0]


def test_county_sees_compliance_by_township_with_totals_and_drills_down(client, tree, django_assert_max_num_queries):
    from tests.factories import make_org

    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    (a, a2), (b, b2) = tree["branches"]
    last_year = timezone.localdate().year - 1
    for org in (a, b, b2):
        make_member(org)
        for month in range(1, 13):
            services.record_attendance(meeting(org, held_on=datetime.date(last_year, month, 9)), [], actor=CLI)
    url = reverse("orglife:compliance") + f"?year={last_year}"
    connection.queries_log.clear()  # the setup's queries fill the log (9000 at most): count afresh
    with django_assert_max_num_queries(40) as few:
        page = client.get(url).content.decode()
    first = len(few.captured_queries)
    c1 = tree["committees"][0]
    assert "合计" in page and f"?org={c1.pk}&amp;year={last_year}" in page
    assert a2.name in page  # lagging: held nothing
    # drill down into a township: its own branches only
    sub = client.get(reverse("orglife:compliance") + f"?org={c1.pk}&year={last_year}").content.decode()
    assert a2.name in sub and b2.name not in sub
    for i in range(6):
        make_org(tree["committees"][i % 2], name=f"新增第{i}党支部")
    connection.queries_log.clear()
    with django_assert_max_num_queries(first):
        page = client.get(url).content.decode()
    assert "新增第5党支部" in page
