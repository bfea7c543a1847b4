"""What the supervision URLs take, for tests/test_access_matrix.py."""

import datetime

from django.utils import timezone

from tests.access_matrix_bodies import FORM_CHOICE, Write
from tests.factories import make_user


def _today():
    return timezone.localdate()


def _quarter():
    return (_today().month - 1) // 3 + 1


def _root(org):
    from apps.orgs.models import Organisation

    return Organisation.objects.get(path=org.path[: Organisation.steplen])


def _assignment(org, side):
    """A section-level cadre's contact point at the side's branch."""
    from apps.core.actors import system_actor
    from apps.supervision import services

    cadre = make_user("county_admin", _root(org), display_name=f"科级干部{side}")
    data = {"leader": cadre, "kind": "section_point", "organisation": org, "year": _today().year}
    return services.assign_contact(data, actor=system_actor("cli"))


def _inspection(org, side):
    """Last year's fourth-quarter self-check of the side's branch, still a draft."""
    from apps.core.actors import system_actor
    from apps.supervision import services
    from apps.supervision.models import Inspection

    found = Inspection.objects.filter(organisation=org, kind="self_check", year=_today().year - 1, quarter=4).first()
    return found or services.start_self_check(org, _today().year - 1, 4, actor=system_actor("cli"))


def _rectification(org, side):
    from apps.core.actors import system_actor
    from apps.supervision import services

    return services.add_rectification(
        _inspection(org, side), {"problem": "会议记录不完整", "deadline": _today()}, actor=system_actor("cli")
    )


def _report(org, side):
    from apps.core.actors import system_actor
    from apps.supervision import services

    last = _today().replace(day=1) - datetime.timedelta(days=1)
    return services.save_report(org, last.year, last.month, {"work_done": "召开支委会"}, submit=True, actor=system_actor("cli"))


def _submitted_b(w):
    """A submitted self-check of B last year: something for the year-end evaluation."""
    from apps.core.actors import system_actor
    from apps.supervision import services
    from apps.supervision.models import Inspection

    insp = Inspection.objects.filter(organisation=w.b, kind="self_check", year=_today().year - 1, quarter=3).first()
    if insp is None:
        insp = services.start_self_check(w.b, _today().year - 1, 3, actor=system_actor("cli"))
        Inspection.objects.filter(pk=insp.pk).update(status="submitted", total=80)
    return insp


def _checklist_rows(w, o):
    from apps.supervision import services

    body = {"note": "矩阵测试"}
    for n, i in enumerate(services.current_checklist().items.all()):
        values = {
            "area": i.area,
            "code": i.code,
            "title": i.title,
            "evidence": i.evidence,
            "max_score": i.max_score + (n == 0),
            "metric": i.metric,
        }
        body.update({f"item-{n}-{k}": v for k, v in values.items()})
    return body


def _scores(w, o):
    manual = o["pk"].scores.filter(computed=False).order_by("id")[:1]
    return {f"score-{s.item_id}": "1" for s in manual} | {"note": "矩阵评分"}


def _point(org, side):
    from apps.core.actors import system_actor
    from apps.supervision import services
    from apps.supervision.models import ModelPoint

    found = ModelPoint.objects.filter(organisation=org).first()
    data = {"organisation": org, "category": "other", "theme": "红色引领", "designated_on": _today(), "plan": "一年培育，两年验收"}
    return found or services.designate_point(data, actor=system_actor("cli"))


def _progress(org, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.core.actors import system_actor
    from apps.supervision import services

    upload = SimpleUploadedFile("经验材料.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    data = {"date": _today(), "content": "建成党员活动室", "material": upload}
    return services.record_point_progress(_point(org, side), data, actor=system_actor("cli"))


def _instructor(org, side):
    """Created directly: the matrix's branches are not non-public enterprises (the
    service's unit rule is tested in tests/supervision)."""
    from apps.supervision.models import InstructorPost

    return InstructorPost.objects.create(organisation=org, name=f"指导员{side}", sent_by="县工商联", start_date=_today())


def _fresh_branch(unit_type="other"):
    def make(w):
        from tests.factories import make_org

        return make_org(w.c2, org_type="branch", unit_type=unit_type, name=f"矩阵新{unit_type}党支部")

    return make


def _training(org, side):
    from apps.core.actors import system_actor
    from apps.supervision import services
    from tests.factories import make_member

    data = {
        "organisation": org,
        "kind": "regular",
        "date": _today(),
        "title": f"例会培训{side}",
        "hours": "2",
        "attendees": [make_member(org).pk],
    }
    return services.record_cadre_training(data, actor=system_actor("cli"))


def _b_cadre(w):
    """A member of B holding a committee seat: a party-work cadre to train."""
    from apps.core.actors import system_actor
    from apps.orgs.committee import add_committee_seat
    from tests.factories import make_member

    member = make_member(w.b)
    add_committee_seat(w.b, member, "organisation", actor=system_actor("cli"))
    return member


PK_BY_URL_NAME = {
    "supervision:point": "supervision.modelpoint",
    "supervision:point_review": "supervision.modelpoint",
    "supervision:point_material": "supervision.modelpointprogress",
    "supervision:instructor": "supervision.instructorpost",
    "supervision:contact": "supervision.contactassignment",
    "supervision:inspection": "supervision.inspection",
    "supervision:rectify": "supervision.inspection",
    "supervision:rectification_done": "supervision.rectification",
    "supervision-contact-detail": "supervision.contactassignment",
    "supervision-inspection-detail": "supervision.inspection",
    "supervision-rectification-detail": "supervision.rectification",
    "supervision-report-detail": "supervision.monthlyreport",
    "supervision-contact-visits": "supervision.contactassignment",
    "supervision-inspection-scores": "supervision.inspection",
    "supervision-inspection-rectifications": "supervision.inspection",
    "supervision-rectification-done": "supervision.rectification",
    "supervision-training-detail": "supervision.cadretraining",
}
FACTORIES = {
    "supervision.contactassignment": _assignment,
    "supervision.inspection": _inspection,
    "supervision.rectification": _rectification,
    "supervision.monthlyreport": _report,
    "supervision.modelpoint": _point,
    "supervision.modelpointprogress": _progress,
    "supervision.instructorpost": _instructor,
    "supervision.cadretraining": _training,
}
WRITE_BODIES = {
    "supervision:contacts": Write(
        lambda w, o: {"leader": w.users["admin"].pk, "kind": "section_point", "organisation": w.b.pk, "year": _today().year},
        url_side="A",
        refused=(200, 404),
        why="安排挂钩联系须有审批权限：A 支部书记没有，页面 404；C1 组织员的表单只列出本人范围内的组织和人员，"
        "B 与县级的联系领导都不是有效选项，表单带错误重新显示（200），不写入",
    ),
    "supervision:contact": Write(lambda w, o: {"date": _today().isoformat(), "kind": "visit", "content": "矩阵走访"}),
    "supervision:checklist": Write(
        _checklist_rows,
        actor="admin",
        url_side="A",
        why="十规范检查表是全县设置（configure），没有支部对象：证明县委以下的用户改不了（404）",
    ),
    "supervision:selfcheck_new": Write(
        lambda w, o: {"org": w.b.pk, "year": _today().year, "quarter": _quarter()}, url_side="A", refused=(200,), why=FORM_CHOICE
    ),
    "supervision:spotcheck_new": Write(
        lambda w, o: {"org": w.c2.pk, "year": _today().year, "quarter": _quarter(), "per_township": 1, "seed": "matrix"},
        url_side="A",
        refused=(200,),
        why=FORM_CHOICE + "（抽查由上级党委发起：C2 不在 A 支部书记和 C1 组织员的审批范围内）",
    ),
    "supervision:evaluate": Write(
        lambda w, o: {"org": w.c2.pk, "year": _today().year - 1},
        url_side="A",
        refused=(200,),
        fresh={"done": _submitted_b},
        why=FORM_CHOICE + "（年终考评由上级党委计算）",
    ),
    "supervision:inspection": Write(_scores),
    "supervision:rectify": Write(lambda w, o: {"problem": "矩阵发现的问题", "measure": "限期整改", "deadline": _today().isoformat()}),
    "supervision:rectification_done": Write(lambda w, o: {"done_on": _today().isoformat(), "done_note": "已整改"}),
    "supervision:report": Write(
        lambda w, o: {"org": w.b.pk, "year": _today().year - 1, "month": 12, "work_done": "矩阵月报"},
        url_side="A",
        why="月报告的组织由请求体指定：B 的 id 对 A 支部书记和 C1 组织员是 404",
    ),
    "supervision:points": Write(
        lambda w, o: {
            "organisation": o["org"].pk,
            "category": "village",
            "theme": "乡村振兴",
            "designated_on": _today().isoformat(),
            "plan": "培育计划",
        },
        url_side="A",
        fresh={"org": _fresh_branch()},
        refused=(200, 404),
        why="确定示范点须有审批权限：A 支部书记没有（404）；C1 组织员的组织选择只列出本人范围，C2 下的支部不是有效选项（200，不写入）",
    ),
    "supervision:point": Write(lambda w, o: {"date": _today().isoformat(), "content": "矩阵进展"}),
    "supervision:point_review": Write(
        lambda w, o: {"decision": "continue", "review_note": "继续培育"}, actor="admin", why="验收是上级党委的事（审批权限），由管理员证明"
    ),
    "supervision:instructors": Write(
        lambda w, o: {"organisation": o["org"].pk, "name": "矩阵指导员", "sent_by": "县委组织部", "start_date": _today().isoformat()},
        url_side="A",
        fresh={"org": _fresh_branch("non_public_enterprise")},
        refused=(200, 404),
        why="选派指导员须有审批权限：A 支部书记没有（404）；C1 组织员的组织选择只列出本人范围（200，不写入）",
    ),
    "supervision:instructor": Write(lambda w, o: {"date": _today().isoformat(), "content": "指导企业党组织换届"}),
    "supervision:annual_export": Write(
        lambda w, o: {"org": w.b.pk, "year": _today().year - 1},
        actor="admin",
        url_side="A",
        why="年报导出是读（只记一条导出日志）：组织由请求体指定，B 的 id 对 A 支部书记和 C1 组织员是 404，不导出也不记日志",
    ),
    # ── API writes: the same services as the pages
    "POST supervision-contact-visits": Write(lambda w, o: {"date": _today().isoformat(), "kind": "guidance", "content": "接口走访"}),
    "POST supervision-inspection-self-check": Write(
        lambda w, o: {"organisation": w.b.pk, "year": _today().year, "quarter": _quarter()},
        actor="admin",
        url_side="A",
        why="自查的组织由请求体指定：B 的 id 对 A 支部书记和 C1 组织员是 404",
    ),
    "POST supervision-inspection-scores": Write(
        lambda w, o: {"scores": [{"item": s.item_id, "score": "1"} for s in o["pk"].scores.filter(computed=False)[:1]], "note": "接口评分"}
    ),
    "POST supervision-inspection-rectifications": Write(
        lambda w, o: {"problem": "接口发现的问题", "measure": "限期整改", "deadline": _today().isoformat()}
    ),
    "POST supervision-rectification-done": Write(lambda w, o: {"done_on": _today().isoformat(), "done_note": "已整改"}),
    "POST supervision-report-list": Write(
        lambda w, o: {"organisation": w.b.pk, "year": _today().year - 1, "month": 10, "work_done": "接口月报"},
        actor="admin",
        url_side="A",
        why="月报告的组织由请求体指定：B 的 id 对 A 支部书记和 C1 组织员是 404",
    ),
    "supervision:trainings": Write(
        lambda w, o: {
            "org": w.b.pk,
            "kind": "general",
            "occasion": "季训会",
            "date": _today().isoformat(),
            "title": "矩阵四训",
            "hours": "2",
            "attendees": [o["cadre"].pk],
        },
        actor="admin",
        url_side="A",
        fresh={"cadre": _b_cadre},
        why="四训的举办组织由请求体指定：B 的 id 对 A 支部书记和 C1 组织员是 404",
    ),
    "POST supervision-training-list": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "kind": "special",
            "date": _today().isoformat(),
            "title": "接口四训",
            "hours": "4",
            "attendees": [o["cadre"].pk],
        },
        actor="admin",
        url_side="A",
        fresh={"cadre": _b_cadre},
        why="四训的举办组织由请求体指定：B 的 id 对 A 支部书记和 C1 组织员是 404",
    ),
}
