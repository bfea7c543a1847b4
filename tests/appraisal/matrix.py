"""What the appraisal URLs take, for tests/test_access_matrix.py: the model behind each
`pk`, a factory per model (one object in the side's organisation) and a valid body for
every write endpoint (proved by B's own user, refused to the users of A and C1)."""

import datetime

from django.utils import timezone

from tests.access_matrix_bodies import Write
from tests.factories import make_member, make_user

PK_BY_URL_NAME = {
    "appraisal:campaign": "appraisal.campaign",
    **{
        f"appraisal:{n}": "appraisal.branchappraisal"
        for n in ("branch", "branch_report", "branch_advance", "branch_propose", "branch_feedback")
    },
    **{f"appraisal:{n}": "appraisal.appraisee" for n in ("peer_opinion", "self_assess", "ballot")},
    "appraisal:case": "appraisal.handlingcase",
    "appraisal:case_step": "appraisal.handlingcase",
    "appraisal:suspend": "members.member",
    # API viewsets build their queryset per request
    "appraisal-campaign-detail": "appraisal.campaign",
    "appraisal-branch-detail": "appraisal.branchappraisal",
    "appraisal-case-detail": "appraisal.handlingcase",
    "appraisal-case-step": "appraisal.handlingcase",
    **{f"appraisal:{n}": "appraisal.memberpost" for n in ("post", "post_assign", "post_review", "post_end")},
    "appraisal:assignment_end": "appraisal.postassignment",
    "appraisal-post-detail": "appraisal.memberpost",
    "appraisal-post-assign": "appraisal.memberpost",
    "appraisal-post-review": "appraisal.memberpost",
}


def _sys():
    from apps.core.actors import system_actor

    return system_actor("cli")


def _dates(year):
    return {
        "year": year,
        "report_by": datetime.date(year, 11, 10),
        "self_by": datetime.date(year, 11, 20),
        "peer_by": datetime.date(year, 11, 30),
        "rating_by": datetime.date(year, 12, 10),
        "proposal_by": datetime.date(year, 12, 20),
        "feedback_by": datetime.date(year, 12, 31),
    }


def _people(org, side):
    """Three full members of the side (the first bears the side's marker name), each
    with a member account."""
    from apps.members.models import Member
    from tests.test_access_matrix import _person_name

    people = list(Member.objects.filter(organisation=org, remarks="matrix-appraisal").order_by("id"))
    while len(people) < 3:
        m = make_member(org, remarks="matrix-appraisal", **({"name": _person_name(side)} if not people else {}))
        make_user("member", org, member=m)
        people.append(m)
    return people


def _proc(org, side, year=2025, phase="report"):
    """The branch's procedure in the side's campaign of `year`, walked to `phase`."""
    from apps.appraisal import services
    from apps.appraisal.models import BranchAppraisal, Campaign

    _people(org, side)
    campaign = Campaign.objects.filter(organisation=org, year=year).first() or services.open_campaign(org, _dates(year), actor=_sys())
    ba = BranchAppraisal.objects.get(campaign=campaign, organisation=org)
    while ba.phase != phase:
        if ba.phase == "report":
            ba = services.record_report(ba, report="书记述职", on=datetime.date(year, 11, 5), actor=_sys())
        elif ba.phase in ("self", "peer", "rating"):
            ba = services.advance(ba, actor=_sys())
        elif ba.phase == "proposal":
            grades = {a.pk: "qualified" for a in ba.appraisees.all()}
            ba = services.propose_grades(ba, grades, meeting_date=datetime.date(year, 12, 15), actor=_sys())
        else:
            break
    return ba


def _voter_place(org, side, year, phase):
    ba = _proc(org, side, year, phase)
    return ba.appraisees.filter(member__remarks="matrix-appraisal", member_type="full").order_by("member_id").first()


def _case(org, side):
    from apps.appraisal import services
    from apps.appraisal.models import HandlingCase

    existing = HandlingCase.objects.filter(organisation=org).first()
    if existing:
        return existing
    from tests.test_access_matrix import _person_name

    member = make_member(org, name=_person_name(side))
    return services.open_case(member, kind="correction_order", source="manual", source_note="长期不参加组织生活", actor=_sys())


def _post(org, side, *, fresh=False):
    """A 设岗定责 post of the side with one member on it (the side's marked person)."""
    from apps.appraisal import services
    from apps.appraisal.models import MemberPost

    existing = None if fresh else MemberPost.objects.filter(organisation=org, title__startswith="矩阵").first()
    if existing:
        return existing
    from tests.test_access_matrix import _person_name

    n = MemberPost.objects.filter(organisation=org).count()
    post = services.create_post(
        org,
        {"kind": "post", "post_type": "environment", "title": f"矩阵环境卫生岗{n}", "duties": "村道保洁", "set_up_on": "2025-01-02"},
        actor=_sys(),
    )
    member = make_member(org, name=_person_name(side)) if not fresh else make_member(org)
    services.assign_member(post, member, duties="负责村道保洁", start_on="2025-01-05", actor=_sys())
    return post


FACTORIES = {
    "appraisal.memberpost": _post,
    "appraisal.postassignment": lambda org, side: _post(org, side).assignments.first(),
    "appraisal.campaign": lambda org, side: _proc(org, side).campaign,
    "appraisal.branchappraisal": lambda org, side: _proc(org, side),
    # the place of the side's marked person (in A: another member than the signed-in one)
    "appraisal.appraisee": lambda org, side: _proc(org, side).appraisees.get(member=_people(org, side)[0]),
    "appraisal.handlingcase": _case,
}


def _today():
    return timezone.localdate().isoformat()


def _lost_member_of_b(w):
    from apps.members import services

    m = make_member(w.b)
    return services.change_status(
        m,
        "lost_contact",
        date=timezone.localdate() - datetime.timedelta(days=250),
        lost_contact_reason="migrant_work",
        reason="外出务工失联",
        actor=_sys(),
    )


def _owner(w, objs):
    """The member whose own place in the appraisal the URL is."""
    from apps.accounts.models import User

    return User.objects.get(member_id=objs["pk"].member_id)


def _ballot(w, objs):
    own = objs["pk"]
    return {f"g_{a.pk}": "qualified" for a in own.branch.appraisees.exclude(pk=own.pk)}


def _grades(w, objs):
    return {**{f"g_{a.pk}": "qualified" for a in objs["pk"].appraisees.all()}, "meeting_date": "2024-12-15"}


def _campaign_body(w, objs):
    return {
        **{k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in _dates(2018).items()},
        "organisation": w.b.pk,
        "cap_numerator": 1,
        "cap_denominator": 3,
        "rating_weight": 70,
    }


def _case_open_body(w, objs):
    return {"member": w.obj("members.member", "B").pk, "kind": "correction_order", "source_note": "组织观念淡薄", "opened_on": _today()}


WRITE_BODIES = {
    "appraisal:campaign_new": Write(
        _campaign_body,
        actor="admin",
        url_side="A",
        refused=(404, 200),
        why="发起评议须 approve：A支部书记 404；C1组织员的组织选择器只在本人范围内查找，B 报“未找到”（表单 200）",
    ),
    "appraisal:branch_report": Write(lambda w, o: {"report": "一年来支部工作", "report_on": _today()}),
    "appraisal:branch_advance": Write(lambda w, o: {}, fresh={"pk": lambda w: _proc(w.b, "B", 2021, "self")}),
    "appraisal:branch_propose": Write(_grades, fresh={"pk": lambda w: _proc(w.b, "B", 2022, "proposal")}),
    "appraisal:branch_feedback": Write(lambda w, o: {"on": _today()}, fresh={"pk": lambda w: _proc(w.b, "B", 2023, "feedback")}),
    "appraisal:peer_opinion": Write(lambda w, o: {"text": "群众评价好"}, fresh={"pk": lambda w: _voter_place(w.b, "B", 2020, "peer")}),
    "appraisal:self_assess": Write(
        lambda w, o: {"text": "本人认真学习"}, actor=_owner, fresh={"pk": lambda w: _voter_place(w.b, "B", 2019, "self")}
    ),
    "appraisal:ballot": Write(_ballot, actor=_owner, fresh={"pk": lambda w: _voter_place(w.b, "B", 2024, "rating")}),
    "appraisal:case_open": Write(
        _case_open_body,
        actor="admin",
        url_side="A",
        refused=(302,),
        why="党员选择器只在本人范围内查找：B 的党员报“未找到”，回到列表页并提示，不立案",
    ),
    "appraisal:case_step": Write(lambda w, o: {"step": "filed", "filed_on": _today(), "filed_with": "上级党委"}),
    "POST appraisal-case-step": Write(lambda w, o: {"step": "filed", "filed_on": _today(), "filed_with": "上级党委"}),
    "appraisal:suspend": Write(lambda w, o: {"on": _today()}, fresh={"pk": _lost_member_of_b}),
}


def _fresh_post(w):
    return _post(w.b, "B", fresh=True)


def _fresh_assignment(w):
    return _fresh_post(w).assignments.first()


def _review_body(w, objs):
    return {
        "assignment": objs["pk"].assignments.first().pk,
        "year": 2025,
        "half": 2,
        "grade": "competent",
        "fulfilment": "按时保洁",
        "reviewed_on": _today(),
    }


def _assign_body(w, objs):
    return {"member": make_member(w.b).pk, "duties": "宣传政策", "start_on": _today()}


def _post_body(w, objs):
    return {
        "organisation": w.b.pk,
        "kind": "household",
        "title": "矩阵中心户",
        "duties": "联系农户",
        "coverage": "三组",
        "households": 10,
        "set_up_on": _today(),
    }


WRITE_BODIES.update(
    {
        "appraisal:post_new": Write(
            _post_body,
            url_side="A",
            refused=(200,),
            why="组织选择器只在本人范围内查找：B 的支部报“未找到”（表单 200），不设岗",
        ),
        "appraisal:post_assign": Write(_assign_body, fresh={"pk": _fresh_post}),
        "appraisal:post_review": Write(_review_body, fresh={"pk": _fresh_post}),
        "appraisal:post_end": Write(lambda w, o: {"on": _today()}, fresh={"pk": _fresh_post}),
        "appraisal:assignment_end": Write(lambda w, o: {"on": _today()}, fresh={"pk": _fresh_assignment}),
        "POST appraisal-post-list": Write(_post_body, url_side="A"),
        "POST appraisal-post-assign": Write(_assign_body, fresh={"pk": _fresh_post}),
        "POST appraisal-post-review": Write(_review_body, fresh={"pk": _fresh_post}),
    }
)


# ── 监督管理 ──────────────────────────────────────────────────────────────────────────────
PK_BY_URL_NAME.update(
    {
        "appraisal:supervision_record": "appraisal.supervisionrecord",
        "appraisal:supervision_conclude": "appraisal.supervisionrecord",
        "appraisal-supervision-detail": "appraisal.supervisionrecord",
        "appraisal-supervision-conclude": "appraisal.supervisionrecord",
    }
)


def _report(org, side, *, fresh=False):
    """An open 重大事项报告 of the side's marked person."""
    from apps.appraisal import services
    from apps.appraisal.models import SupervisionRecord

    existing = None if fresh else SupervisionRecord.objects.filter(organisation=org, content="矩阵重大事项").first()
    if existing:
        return existing
    from tests.test_access_matrix import _person_name

    member = make_member(org) if fresh else make_member(org, name=_person_name(side))
    data = {"kind": "major_report", "matter": "abroad", "on": "2025-03-01", "content": "矩阵重大事项"}
    return services.record_supervision(member, data, actor=_sys())


FACTORIES["appraisal.supervisionrecord"] = _report


def _supervision_body(w, objs):
    return {
        "kind": "major_report",
        "member": w.obj("members.member", "B").pk,
        "matter": "marriage",
        "on": _today(),
        "content": "本人登记结婚",
    }


WRITE_BODIES.update(
    {
        "appraisal:supervision_new": Write(
            _supervision_body,
            url_side="A",
            refused=(200,),
            why="党员选择器只在本人范围内查找：B 的党员报“未找到”（表单 200），不登记",
        ),
        "appraisal:supervision_conclude": Write(
            lambda w, o: {"follow_up": "支部已阅知，提醒遵守出国（境）管理规定", "closed_on": _today()},
            fresh={"pk": lambda w: _report(w.b, "B", fresh=True)},
        ),
        "POST appraisal-supervision-list": Write(_supervision_body, url_side="A"),
        "POST appraisal-supervision-conclude": Write(
            lambda w, o: {"follow_up": "支部已阅知", "closed_on": _today()}, fresh={"pk": lambda w: _report(w.b, "B", fresh=True)}
        ),
    }
)


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
PK_BY_URL_NAME.update(
    {
        "appraisal:goal": "appraisal.goalsheet",
        "appraisal:goal_check": "appraisal.goalsheet",
        "appraisal-goal-detail": "appraisal.goalsheet",
        "appraisal-goal-check": "appraisal.goalsheet",
    }
)


def _sheet(org, side, *, fresh=False):
    """Last year's goal sheet of the side's marked person (its self-check is open now)."""
    from apps.appraisal import services
    from apps.appraisal.models import GoalSheet

    year = timezone.localdate().year - 1
    existing = None if fresh else GoalSheet.objects.filter(organisation=org, own_goals="矩阵目标").first()
    if existing:
        return existing
    from tests.test_access_matrix import _person_name

    member = make_member(org) if fresh else make_member(org, name=_person_name(side))
    return services.set_goals(member, year=year, own_goals="矩阵目标", actor=_sys())


FACTORIES["appraisal.goalsheet"] = _sheet


def _member_user_of_b(w, objs):
    return make_user("member", w.b, member=make_member(w.b))


def _goal_body(w, objs):
    return {"member": make_member(w.b).pk, "year": timezone.localdate().year, "own_goals": "带头参加志愿服务"}


def _check_body(w, objs):
    return {"self_check": "全年按目标完成学习和志愿服务", "check_grade": "achieved"}


WRITE_BODIES.update(
    {
        "appraisal:goal_new": Write(
            _goal_body, url_side="A", refused=(200,), why="党员选择器只在本人范围内查找：B 的党员报“未找到”（表单 200），不制定"
        ),
        "appraisal:goal_check": Write(_check_body, fresh={"pk": lambda w: _sheet(w.b, "B", fresh=True)}),
        "appraisal:my_goals": Write(
            lambda w, o: {"year": timezone.localdate().year, "own_goals": "带头参加志愿服务"},
            actor=_member_user_of_b,
            url_side="A",
            why="党员本人制定自己的目标：没有党员档案的账号（支部书记、组织员）得到404，什么也不写入",
        ),
        "POST appraisal-goal-list": Write(_goal_body, url_side="A"),
        "POST appraisal-goal-check": Write(_check_body, fresh={"pk": lambda w: _sheet(w.b, "B", fresh=True)}),
    }
)


# ── 三培养 ──────────────────────────────────────────────────────────────────────────────
PK_BY_URL_NAME.update(
    {
        **{f"appraisal:{n}": "appraisal.talententry" for n in ("talent", "talent_edit", "talent_stage", "talent_close")},
        "appraisal-talent-detail": "appraisal.talententry",
        "appraisal-talent-stage": "appraisal.talententry",
        "appraisal-talent-close": "appraisal.talententry",
    }
)


def _talent(org, side, *, fresh=False):
    """An open 三培养 entry of the side's marked person (把党员骨干培养成村干部)."""
    from apps.appraisal import services
    from apps.appraisal.models import TalentEntry

    existing = None if fresh else TalentEntry.objects.filter(organisation=org, plan="矩阵培养").first()
    if existing:
        return existing
    from tests.test_access_matrix import _person_name

    member = make_member(org) if fresh else make_member(org, name=_person_name(side))
    data = {"track": "backbone_to_cadre", "member": member, "mentor": make_member(org), "start_on": "2025-03-01", "plan": "矩阵培养"}
    return services.add_talent(data, actor=_sys())


FACTORIES["appraisal.talententry"] = _talent


def _fresh_talent(w):
    return _talent(w.b, "B", fresh=True)


def _talent_body(w, objs):
    return {"track": "backbone_to_cadre", "member": make_member(w.b).pk, "mentor": make_member(w.b).pk, "start_on": _today()}


WRITE_BODIES.update(
    {
        "appraisal:talent_new": Write(
            _talent_body, url_side="A", refused=(200,), why="党员选择器只在本人范围内查找：B 的党员报“未找到”（表单 200），不列入"
        ),
        "appraisal:talent_edit": Write(lambda w, o: {"mentor": make_member(w.b).pk, "plan": "矩阵修改"}, fresh={"pk": _fresh_talent}),
        "appraisal:talent_stage": Write(lambda w, o: {"stage": "training", "on": _today()}, fresh={"pk": _fresh_talent}),
        "appraisal:talent_close": Write(lambda w, o: {"outcome": "left", "on": _today(), "note": "调离"}, fresh={"pk": _fresh_talent}),
        "POST appraisal-talent-list": Write(_talent_body, url_side="A"),
        "PATCH appraisal-talent-detail": Write(lambda w, o: {"plan": "矩阵修改"}, fresh={"pk": _fresh_talent}),
        "POST appraisal-talent-stage": Write(lambda w, o: {"stage": "training", "on": _today()}, fresh={"pk": _fresh_talent}),
        "POST appraisal-talent-close": Write(lambda w, o: {"outcome": "left", "on": _today(), "note": "调离"}, fresh={"pk": _fresh_talent}),
    }
)
