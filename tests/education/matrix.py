"""What the education URLs take, for tests/test_access_matrix.py."""

import datetime

from django.utils import timezone

from apps.core.actors import system_actor
from tests.access_matrix_bodies import Write
from tests.factories import make_member

CLI = system_actor("cli")
SCOPED_CHOICE = "表单的党员、组织选择只列出用户范围内的对象：另一支部的编号是表单错误（200），不会写入"

PK_BY_URL_NAME = {
    "education:entry_decide": "education.studyentry",
    "education:member": "members.member",
    "education:class_detail": "education.trainingclass",
    "education:class_session": "education.trainingclass",
    "education:class_quota": "education.trainingclass",
    "education:class_enrol": "education.trainingclass",
    "education:class_finish": "education.trainingclass",
    "education:session_attendance": "education.classsession",
    "education-entry-detail": "education.studyentry",
    "education-class-detail": "education.trainingclass",
    "education-entry-decide": "education.studyentry",
    "education:report_grade": "education.studyreport",
    "education:quiz_detail": "education.quiz",
    "education:quiz_start": "education.quiz",
    "education:attempt": "education.quizattempt",
    "education:question_active": "education.question",
    "education-question-detail": "education.question",
    "education-quiz-detail": "education.quiz",
    "education-my-quiz-start": "education.quiz",
    "education-attempt-detail": "education.quizattempt",
    "education-attempt-submit": "education.quizattempt",
}


def _today():
    return timezone.localdate()


def _entry(org, side):
    """A pending hand-entered claim (above the approval size) of a member of org."""
    from apps.education import services
    from tests.test_access_matrix import _person

    return services.add_entry(
        {"member": _person(org, side), "date": _today(), "form": "concentrated", "duration": "full_day", "days": 2, "content": "集中培训"},
        actor=CLI,
    )


def _class(org, side):
    from apps.education import services

    return services.create_class(
        {"organisation": org, "title": f"{org.name}学习班", "level": "branch", "start_date": _today(), "end_date": _today()}, actor=CLI
    )


def _session(org, side):
    """A session of a class of org with one enrolled member (whose attendance can be taken)."""
    from apps.education import services
    from tests.test_access_matrix import _person

    cls = _class(org, side)
    services.enrol(cls, _person(org, side), actor=CLI)
    return services.add_session(cls, {"date": _today(), "topic": "学习党章", "lecturer": "书记", "hours": "2"}, actor=CLI)


def _finishable(w):
    """A class of B whose every session has its attendance taken."""
    from apps.education import services

    session = _session(w.b, "B")
    member_id = session.training_class.enrolments.first().member_id
    services.record_session_attendance(session, [member_id], actor=CLI)
    return session.training_class


def _report(org, side):
    from apps.education import services
    from tests.test_access_matrix import _person

    text = "本年度认真学习党章党规和党的创新理论，参加支部集体学习和培训，结合岗位实际学以致用，今后继续加强学习，提高党性修养。"
    return services.submit_report(_person(org, side), _today().year, text * 2, actor=CLI)


def _member_user_of_b(w, objs):
    from tests.factories import make_user

    return make_user("member", w.b, member=make_member(w.b))


def _question(org, side, n=None):
    from apps.education import services
    from apps.education.models import Question

    n = Question.objects.filter(organisation=org).count() if n is None else n

    return services.add_question(
        org, {"kind": "single", "category": "党章", "text": f"{org.name}题{n}", "options": ["甲", "乙"], "answer": "A"}, actor=CLI
    )


def _quiz(org, side):
    """An open quiz of org drawing two questions from org's bank."""
    from apps.education import services
    from apps.education.models import Question

    have = Question.objects.filter(organisation=org).count()
    for n in range(have, 2):
        _question(org, side, n)
    return services.create_quiz(
        {
            "organisation": org,
            "title": f"{org.name}考学",
            "draw": {"党章": 2},
            "time_limit": 30,
            "attempts_allowed": 3,
            "pass_score": 60,
            "hours": "1",
            "opens_on": _today(),
            "closes_on": _today(),
        },
        actor=CLI,
    )


def _attempt(org, side):
    """A running attempt of a member of org (linked to a user, who may hand it in)."""
    from apps.education import services
    from tests.factories import make_user
    from tests.test_access_matrix import _person

    user = make_user("member", org, member=_person(org, side))
    return services.start_attempt(_quiz(org, side), actor=user)


def _attempt_owner(w, objs):
    from apps.accounts.models import User

    return User.objects.get(member_id=objs["pk"].member_id)


def _quiz_body(w, o):
    _quiz(w.b, "B")  # B's bank has questions
    return {
        "organisation": w.b.pk,
        "title": "矩阵考学",
        "draw": "党章：2",
        "time_limit": 30,
        "attempts_allowed": 1,
        "pass_score": 60,
        "hours": "1",
        "opens_on": _today().isoformat(),
        "closes_on": _today().isoformat(),
    }


def _bank_file():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from apps.education import rules

    wb = Workbook()
    wb.active.append(rules.QUESTION_COLUMNS)
    wb.active.append(["判断题", "党史", "容易", "矩阵导入题", "", "", "", "", "", "", "对", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("题库.xlsx", buf.getvalue())


FACTORIES = {
    "education.question": _question,
    "education.quiz": _quiz,
    "education.quizattempt": _attempt,
    "education.studyreport": _report,
    "education.studyentry": _entry,
    "education.trainingclass": _class,
    "education.classsession": _session,
}


def _enrolled(session) -> int:
    return session.training_class.enrolments.first().member_id


def _rules_body(w, o):
    from apps.education.services import current_rules

    return {**current_rules().all_values(), "ordinary_hours": 33, "note": "矩阵测试"}


WRITE_BODIES = {
    "education:entry_new": Write(
        lambda w, o: {
            "member": make_member(w.b).pk,
            "date": _today().isoformat(),
            "form": "self_study",
            "duration": "actual",
            "hours": "2",
            "content": "学习党章",
        },
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
    "education:entry_decide": Write(
        lambda w, o: {"approve": "1", "note": "同意"}, actor="admin", why="大额学时由上级党委审批，支部书记没有审批权：由管理员证明"
    ),
    "education:class_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "title": "矩阵测试学习班",
            "level": "branch",
            "kind": "general",
            "start_date": _today().isoformat(),
            "end_date": _today().isoformat(),
        },
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
    "education:class_session": Write(
        lambda w, o: {"date": _today().isoformat(), "topic": "党章", "lecturer": "书记", "duration": "actual", "hours": "2"}
    ),
    "education:class_quota": Write(lambda w, o: {"organisation": w.b.pk, "seats": 3}),
    "education:class_enrol": Write(lambda w, o: {"member": make_member(w.b).pk}),
    "education:class_finish": Write(lambda w, o: {}, fresh={"pk": _finishable}),
    "education:session_attendance": Write(lambda w, o: {"present": [_enrolled(o["pk"])], "hours": "1"}),
    "POST education-entry-list": Write(
        lambda w, o: {"member": make_member(w.b).pk, "date": _today().isoformat(), "form": "online", "hours": "2", "content": "网上学习"},
        url_side="A",
    ),
    "POST education-entry-decide": Write(
        lambda w, o: {"approve": True, "note": "同意"}, actor="admin", why="大额学时由上级党委审批，支部书记没有审批权：由管理员证明"
    ),
    "education:report_grade": Write(lambda w, o: {"grade": "good", "comment": "学习认真"}),
    "education:my_report": Write(
        lambda w, o: {"year": _today().year, "text": "本年度认真学习党章党规，参加集体学习和培训，联系实际学以致用，继续加强学习。" * 2},
        actor=_member_user_of_b,
        url_side="A",
        why="党员本人提交述学报告：没有党员档案的账号（支部书记、组织员）得到404，什么也不写入",
    ),
    "education:rules": Write(
        _rules_body, actor="admin", url_side="A", why="学时规则全县统一，只有县委组织部管理员（设置权限）可以修改：由管理员证明"
    ),
    "education:quiz_new": Write(_quiz_body, url_side="A", refused=(200,), why=SCOPED_CHOICE),
    "education:question_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "kind": "truefalse",
            "category": "党史",
            "difficulty": "easy",
            "text": "矩阵题",
            "answer": "对",
        },
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
    "education:questions_import": Write(
        lambda w, o: {"organisation": w.b.pk, "file": _bank_file()}, url_side="A", refused=(200,), why=SCOPED_CHOICE
    ),
    "education:question_active": Write(lambda w, o: {"active": "0"}),
    "education:quiz_start": Write(
        lambda w, o: {}, actor=_member_user_of_b, why="党员本人开始作答：不面向其本人的考学（或账号没有党员档案）得到404"
    ),
    "education:attempt": Write(lambda w, o: {}, actor=_attempt_owner, why="只有作答的党员本人可以交卷"),
    "POST education-my-quiz-start": Write(
        lambda w, o: {}, actor=_member_user_of_b, why="党员本人开始作答：不面向其本人的考学（或账号没有党员档案）得到404"
    ),
    "POST education-attempt-submit": Write(lambda w, o: {"answers": {}}, actor=_attempt_owner, why="只有作答的党员本人可以交卷"),
}
PLAN_PKS = {
    "education:plan_detail": "education.educationplan",
    "education:plan_item_add": "education.educationplan",
    "education:plan_item_delete": "education.planitem",
    "education-plan-detail": "education.educationplan",
}


def _plan(org, side):
    from apps.education import services
    from apps.education.models import EducationPlan

    year = _today().year
    existing = EducationPlan.objects.filter(organisation=org, kind="annual", start_year=year).first()
    return existing or services.create_plan({"organisation": org, "title": f"{org.name}{year}年教育计划", "start_year": year}, actor=CLI)


def _plan_item(org, side):
    from apps.education import services

    return services.add_plan_item(_plan(org, side), {"month": 1, "topic": "学习党章", "audience": "all", "hours": "2"}, actor=CLI)


PLAN_FACTORIES = {"education.educationplan": _plan, "education.planitem": _plan_item}
PLAN_WRITES = {
    "education:plan_new": Write(
        lambda w, o: {"organisation": w.b.pk, "kind": "annual", "title": "矩阵计划", "start_year": 2031},
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
    "education:plan_item_add": Write(
        lambda w, o: {"month": 3, "topic": "矩阵项目", "audience": "all", "level": "branch", "form": "collective_study", "hours": "2"}
    ),
    "education:plan_item_delete": Write(lambda w, o: {}),
}
PK_BY_URL_NAME.update(PLAN_PKS)
FACTORIES.update(PLAN_FACTORIES)
WRITE_BODIES.update(PLAN_WRITES)
RESOURCE_WRITES = {
    "education:venue_new": Write(
        lambda w, o: {"organisation": w.b.pk, "kind": "media_room", "name": "矩阵电教室"}, url_side="A", refused=(200,), why=SCOPED_CHOICE
    ),
    "education:courseware_new": Write(
        lambda w, o: {"organisation": w.b.pk, "title": "矩阵课件", "minutes": 30, "link": "http://intranet/x"},
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
    "education:joint_meeting_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "date": _today().isoformat(),
            "topic": "矩阵议题",
            "attendees": "各单位",
            "decisions": "落实",
        },
        url_side="A",
        refused=(200,),
        why=SCOPED_CHOICE,
    ),
}


def _venue(org, side):
    from apps.education import services

    return services.add_venue({"organisation": org, "kind": "activity_room", "name": f"{org.name}活动室"}, actor=CLI)


def _courseware(org, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.education import services

    upload = SimpleUploadedFile("课件.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    return services.add_courseware({"organisation": org, "title": f"{org.name}课件", "minutes": 30, "file": upload}, actor=CLI)


def _joint_meeting(org, side):
    from apps.education import services

    return services.add_joint_meeting(
        {"organisation": org, "date": _today(), "topic": f"{org.name}联席会议", "attendees": "各单位", "decisions": "落实"}, actor=CLI
    )


PK_BY_URL_NAME.update(
    {
        "education-venue-detail": "education.venue",
        "education-courseware-detail": "education.courseware",
        "education-joint-meeting-detail": "education.jointmeeting",
        "education:venue_edit": "education.venue",
        "education:venue_delete": "education.venue",
        "education:courseware_edit": "education.courseware",
        "education:courseware_delete": "education.courseware",
        "education:courseware_download": "education.courseware",
    }
)
RESOURCE_WRITES.update(
    {
        "education:venue_edit": Write(lambda w, o: {"kind": "media_room", "name": "矩阵改名电教室"}),
        "education:venue_delete": Write(lambda w, o: {}),
        "education:courseware_edit": Write(lambda w, o: {"title": "矩阵改名课件", "minutes": 40, "link": "http://intranet/y"}),
        "education:courseware_delete": Write(lambda w, o: {}),
    }
)
FACTORIES.update({"education.venue": _venue, "education.courseware": _courseware, "education.jointmeeting": _joint_meeting})
WRITE_BODIES.update(RESOURCE_WRITES)

# Issue 15 item 3: edit and delete of questions, quizzes, plans and plan items (fresh
# objects of B where an answered question or a started quiz would refuse the write).
EDIT_PKS = {
    "education:question_edit": "education.question",
    "education:question_delete": "education.question",
    "education:quiz_edit": "education.quiz",
    "education:quiz_delete": "education.quiz",
    "education:plan_edit": "education.educationplan",
    "education:plan_delete": "education.educationplan",
    "education:plan_item_edit": "education.planitem",
}
EDIT_WRITES = {
    "education:question_edit": Write(
        lambda w, o: {"kind": "single", "category": "党章", "difficulty": "medium", "text": "矩阵改题", "options": "甲\n乙", "answer": "B"},
        fresh={"pk": lambda w: _question(w.b, "B")},
    ),
    "education:question_delete": Write(lambda w, o: {}, fresh={"pk": lambda w: _question(w.b, "B")}),
    "education:quiz_edit": Write(
        lambda w, o: {
            "title": "矩阵改名考学",
            "draw": "党章：2",
            "time_limit": 30,
            "attempts_allowed": 3,
            "pass_score": 60,
            "hours": "1",
            "opens_on": _today().isoformat(),
            "closes_on": (_today() + datetime.timedelta(days=7)).isoformat(),
        },
        fresh={"pk": lambda w: _quiz(w.b, "B")},
    ),
    "education:quiz_delete": Write(lambda w, o: {}, fresh={"pk": lambda w: _quiz(w.b, "B")}),
    "education:plan_edit": Write(lambda w, o: {"title": "矩阵改名计划"}),
    "education:plan_delete": Write(lambda w, o: {}),
    "education:plan_item_edit": Write(
        lambda w, o: {"month": 2, "topic": "矩阵改项目", "audience": "all", "level": "branch", "form": "collective_study", "hours": "3"}
    ),
}
PK_BY_URL_NAME.update(EDIT_PKS)
WRITE_BODIES.update(EDIT_WRITES)
