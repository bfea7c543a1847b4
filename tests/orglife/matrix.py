"""What organisational life's URLs take, for tests/test_access_matrix.py (merged by app
label). Every object is made in the side's branch; B's carry B's marker member name, so a
page or list that leaks them is caught."""

import datetime

from tests.access_matrix_bodies import Write

MEETING_DAY = datetime.date(2025, 6, 10)


def _person_name(side):
    from tests.test_access_matrix import B_MEMBER_NAME, OTHER_A_MEMBER_NAME

    return B_MEMBER_NAME if side == "B" else OTHER_A_MEMBER_NAME


def _member(org, side):
    from apps.members.models import Member
    from tests.factories import make_member

    found = Member.objects.filter(organisation=org, name=_person_name(side)).first()
    return found or make_member(org, name=_person_name(side))


def _meeting(org, side):
    from apps.core.actors import system_actor
    from apps.orglife import services
    from apps.orglife.models import Meeting

    found = Meeting.objects.filter(organisation=org, kind="theme_day").order_by("id").first()
    if found is not None:
        return found
    _member(org, side)
    actor = system_actor("cli")
    m = services.create_meeting(
        {"organisation": org, "kind": "theme_day", "held_on": MEETING_DAY, "topic": "矩阵测试主题党日", "theme": "矩阵测试主题党日"},
        actor=actor,
    )
    return services.record_attendance(m, [], actor=actor)


def _attachment(org, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.core.actors import system_actor
    from apps.orglife import services

    return services.add_attachment(_meeting(org, side), SimpleUploadedFile("矩阵照片.jpg", b"\xff\xd8\xff0000"), actor=system_actor("cli"))


def _exclusion(org, side):
    from apps.core.actors import system_actor
    from apps.orglife import services

    return services.create_exclusion(
        _member(org, side),
        {
            "reason": "illness",
            "starts_on": datetime.date(2025, 1, 1),
            "ends_on": datetime.date(2025, 5, 31),
            "approved_by": "矩阵测试党委",
            "approved_on": datetime.date(2024, 12, 30),
        },
        actor=system_actor("cli"),
    )


def _case(org, side):
    from apps.orglife.models import AbsenceCase

    found = AbsenceCase.objects.filter(organisation=org).order_by("id").first()
    if found is not None:
        return found
    return AbsenceCase.objects.create(
        member=_member(org, side), organisation=org, opened_on=datetime.date(2025, 7, 1), first_month=datetime.date(2025, 1, 1), months=6
    )


FACTORIES = {
    "orglife.absencecase": _case,
    "orglife.meeting": _meeting,
    "orglife.attachment": _attachment,
    "orglife.exclusion": _exclusion,
}

PK_BY_URL_NAME = {
    "orglife:meeting_detail": "orglife.meeting",
    "orglife:meeting_edit": "orglife.meeting",
    "orglife:attendance": "orglife.meeting",
    "orglife:attachment_add": "orglife.meeting",
    "orglife:attachment_download": "orglife.attachment",
    "orglife:exclusion_end": "orglife.exclusion",
    "orglife:case_detail": "orglife.absencecase",
    "orglife-case-detail": "orglife.absencecase",
    "orglife-case-decide": "orglife.absencecase",
    "orglife-meeting-detail": "orglife.meeting",
    "orglife-meeting-attendance": "orglife.meeting",
    "orglife-exclusion-detail": "orglife.exclusion",
}


def _b_member_id(w):
    return _member(w.b, "B").pk


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("矩阵上传.jpg", b"\xff\xd8\xff1111", content_type="image/jpeg")


PICKER_REFUSES = "党组织/党员选择框只列本人维护范围内的对象：B 的编号在表单上报“未找到”，不写入"

WRITE_BODIES = {
    # ── web ──
    "orglife:meeting_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "kind": "theme_day",
            "status": "held",
            "held_on": "2025-07-08",
            "topic": "七月主题党日",
            "theme": "学习党章",
        },
        url_side="A",
        refused=(200,),
        why=PICKER_REFUSES,
    ),
    "orglife:meeting_edit": Write(
        lambda w, o: {"kind": "theme_day", "status": "held", "held_on": "2025-06-12", "topic": "改过的议题", "theme": "改过的主题"}
    ),
    "orglife:attendance": Write(lambda w, o: {f"s_{_b_member_id(w)}": "absent"}),
    "orglife:attachment_add": Write(lambda w, o: {"kind": "photo", "file": _photo()}),
    "orglife:quick": Write(
        lambda w, o: {
            "org": w.b.pk,
            "theme": "本月主题党日",
            "held_on": datetime.date.today().isoformat(),
            "absent": [str(_b_member_id(w))],
        },
        url_side="A",
    ),
    "orglife:exclusions": Write(
        lambda w, o: {
            "member": _b_member_id(w),
            "reason": "abroad",
            "starts_on": "2026-01-01",
            "approved_by": "矩阵测试党委",
            "approved_on": "2025-12-20",
        },
        url_side="A",
        refused=(200,),
        why=PICKER_REFUSES,
    ),
    "orglife:exclusion_end": Write(lambda w, o: {"ends_on": "2025-04-30"}),
    "orglife:case_detail": Write(lambda w, o: _decision()),
    "orglife:open_cases": Write(lambda w, o: {"org": w.b.pk}, url_side="A", fresh={"absent_member": lambda w: _six_months_absent(w.b)}),
    "orglife:settings": Write(
        lambda w, o: _settings_body(),
        actor="admin",
        url_side="A",
        why="规则版本只有县委组织部管理员（configure）可以修订",
    ),
    # ── API ──
    "POST orglife-meeting-list": Write(
        lambda w, o: {"organisation": w.b.pk, "kind": "theme_day", "held_on": "2025-07-08", "topic": "七月主题党日", "theme": "学习党章"},
        url_side="A",
    ),
    "PATCH orglife-meeting-detail": Write(lambda w, o: {"minutes": "矩阵测试会议记录"}),
    "POST orglife-meeting-attendance": Write(lambda w, o: {"marks": [{"member": _b_member_id(w), "status": "absent"}]}),
    "POST orglife-case-decide": Write(lambda w, o: _decision()),
    "POST orglife-exclusion-list": Write(
        lambda w, o: {
            "member": _b_member_id(w),
            "reason": "abroad",
            "starts_on": "2026-01-01",
            "approved_by": "矩阵测试党委",
            "approved_on": "2025-12-20",
        },
        url_side="A",
    ),
}


def _settings_body():
    from apps.orglife import forms, services

    version = services.current_version()
    form = forms.SettingsForm(version=version)
    body = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    body = {k: v for k, v in body.items() if v is not False}
    body["party_lecture_frequency"] = "monthly"
    body["note"] = "矩阵测试"
    return body


def _decision():
    return {"decision": "good_reason", "meeting_date": datetime.date.today().isoformat(), "note": "矩阵测试：因病住院"}


def _six_months_absent(org):
    """A member of org absent without leave from the theme day of each of the six months
    before this one, so opening the cases really opens one (the positive control)."""
    from apps.core.actors import system_actor
    from apps.members.models import Member
    from apps.orglife import services
    from tests.factories import make_member

    found = Member.objects.filter(organisation=org, name="矩阵缺席党员").first()
    if found is not None:
        return found
    person = make_member(org, name="矩阵缺席党员")
    actor = system_actor("cli")
    first = datetime.date.today().replace(day=1)
    for back in range(6, 0, -1):
        y, m = first.year, first.month - back
        if m <= 0:
            y, m = y - 1, m + 12
        held = services.create_meeting(
            {"organisation": org, "kind": "theme_day", "held_on": datetime.date(y, m, 15), "topic": "矩阵缺席", "theme": "矩阵缺席"},
            actor=actor,
        )
        services.record_attendance(held, [{"member": person.pk, "status": "absent"}], actor=actor)
    return person
