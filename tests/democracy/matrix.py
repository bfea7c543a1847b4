"""The democracy domain's part of the access matrix."""

import datetime

from django.utils import timezone

from tests.access_matrix_bodies import Write
from tests.factories import make_member, make_user

B_MEMBER_NAME = "司马乙乙"
OTHER_A_MEMBER_NAME = "欧阳甲乙"


def _cli():
    from apps.core.actors import system_actor

    return system_actor("cli")


def _feedback(org, side):
    from apps.democracy import services

    data = {
        "origin": org,
        "citizen_name": "群众甲",
        "category": _cat("suggestion"),
        "subject": "村道路灯",
        "content": "路灯坏了",
    }
    return services.raise_feedback(data, actor=_cli())


def _notice(org, side):
    from apps.democracy import services

    data = {
        "organisation": org,
        "category": _ncat("dues"),
        "audience": "members",
        "title": "上半年党费收缴情况",
        "body": "全体党员按时交纳",
        "publish_on": timezone.localdate(),
    }
    return services.publish_notice(data, actor=_cli())


def _consultation(org, side):
    from apps.democracy import services

    data = {
        "organisation": org,
        "title": "村集体经济项目安排",
        "text": "拟建设农产品冷库，请提出意见",
        "audience": "members",
        "deadline": timezone.localdate() + datetime.timedelta(days=10),
        "allow_anonymous": True,
    }
    return services.start_consultation(data, actor=_cli())


def _past_consultation(w):
    from apps.democracy.models import Consultation

    c = _consultation(w.b, "B")
    Consultation.objects.filter(pk=c.pk).update(
        opens_on=timezone.localdate() - datetime.timedelta(days=8), deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    c.refresh_from_db()
    return c


def _life_meeting(org, side):
    from apps.democracy.models import LifeMeeting
    from apps.orglife import services

    found = LifeMeeting.objects.filter(organisation=org, kind="life_meeting").order_by("id").first()
    if found is not None:
        return found
    m = services.create_meeting(
        {
            "organisation": org,
            "kind": "life_meeting",
            "held_on": timezone.localdate() - datetime.timedelta(days=3),
            "topic": "年度组织生活会",
        },
        actor=_cli(),
    )
    return LifeMeeting.objects.get(pk=m.pk)


def _rectification(org, side):
    from apps.democracy import services

    data = {"problem": "理论学习不够系统", "responsible": "支部书记", "measure": "制定学习计划", "deadline": timezone.localdate()}
    return services.add_rectification(_life_meeting(org, side), data, actor=_cli())


def _b_member_user(w, objs):
    return make_user("member", w.b, member=objs["who"])


FACTORIES = {
    "democracy.feedback": _feedback,
    "democracy.notice": _notice,
    "democracy.consultation": _consultation,
    "democracy.lifemeeting": _life_meeting,
    "democracy.liferectification": _rectification,
}
PK_BY_URL_NAME = {
    "democracy:feedback": "democracy.feedback",
    "democracy:notice_withdraw": "democracy.notice",
    "democracy:consultation": "democracy.consultation",
    "democracy:life_meeting": "democracy.lifemeeting",
    "democracy:rectification_done": "democracy.liferectification",
}
FORM_SCOPE = "表单的组织选择只列本人范围内的：B 的编号被表单拒绝（重新显示表单并提示），没有写入"
WRITE_BODIES = {
    "democracy:feedback": Write(lambda w, o: {"answer": "已安排维修"}),
    "democracy:feedback_citizen": Write(
        lambda w, o: {"origin": w.b.pk, "citizen_name": "群众乙", "category": _cat("help").pk, "subject": "求助", "content": "家中困难"},
        url_side="A",
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "democracy:my_feedback": Write(
        lambda w, o: {"category": _cat("suggestion").pk, "organisation": w.b.pk, "subject": "建议", "content": "建议增加党员活动"},
        actor=_b_member_user,
        url_side="A",
        fresh={"who": lambda w: make_member(w.b)},
        refused=(404,),
        why="只有党员本人（账号关联党员档案）可以提出：A支部书记和党委组织员没有本人档案，404",
    ),
    "democracy:notice_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "category": _ncat("other").pk,
            "audience": "subtree",
            "title": "通知",
            "body": "内容",
            "publish_on": timezone.localdate().isoformat(),
        },
        url_side="A",
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "democracy:notice_withdraw": Write(lambda w, o: {"withdraw_on": timezone.localdate().isoformat()}),
    "democracy:my_notices": Write(
        lambda w, o: {"notice": o["notice"].pk},
        actor=_b_member_user,
        url_side="A",
        fresh={"who": lambda w: make_member(w.b), "notice": lambda w: _notice(w.b, "B")},
        refused=(404,),
        why="已阅回执只属于党员本人：没有本人档案的用户得到404",
    ),
    "democracy:consultation_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "title": "征求意见",
            "text": "内容",
            "audience": "members",
            "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        },
        url_side="A",
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "democracy:consultation": Write(lambda w, o: {"decision": "按多数意见实施"}, fresh={"pk": _past_consultation}),
    "democracy:my_consultations": Write(
        lambda w, o: {"consultation": o["c"].pk, "stance": "agree"},
        actor=_b_member_user,
        url_side="A",
        fresh={"who": lambda w: make_member(w.b), "c": lambda w: _consultation(w.b, "B")},
        refused=(404,),
        why="意见只能由征求范围内的党员本人提交：没有本人档案的用户得到404",
    ),
    "democracy:decision_new": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "topic": "村道硬化项目",
            "category": "project",
            "proposed_by": "书记",
            "consulted": "全体支委",
            "decided_on": timezone.localdate().isoformat(),
            "members_total": 5,
            "members_present": 5,
            "votes_for": 4,
            "votes_against": 1,
            "votes_abstain": 0,
            "content": "同意实施",
        },
        url_side="A",
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "democracy:life_meeting": Write(
        lambda w, o: {
            "problem": "联系群众不够",
            "responsible": "组织委员",
            "measure": "每月走访",
            "deadline": timezone.localdate().isoformat(),
        }
    ),
    "democracy:rectification_done": Write(lambda w, o: {"done_on": timezone.localdate().isoformat(), "done_note": "已整改"}),
}


def _cat(code):
    from apps.democracy.models import FeedbackCategory
    from apps.democracy.rules import DEFAULT_FEEDBACK_CATEGORIES

    # The migration's rows are gone after a transactional test flushed the database.
    row = next(r for r in DEFAULT_FEEDBACK_CATEGORIES if r[0] == code)
    return FeedbackCategory.objects.get_or_create(code=code, defaults=dict(zip(("name", "answer_days", "order"), row[1:], strict=True)))[0]


def _ncat(code):
    from apps.democracy.models import NoticeCategory
    from apps.democracy.rules import DEFAULT_NOTICE_CATEGORIES

    row = next(r for r in DEFAULT_NOTICE_CATEGORIES if r[0] == code)
    return NoticeCategory.objects.get_or_create(code=code, defaults=dict(zip(("name", "order"), row[1:], strict=True)))[0]


def _decision(org, side):
    from apps.democracy import services

    data = {
        "organisation": org,
        "topic": "村道硬化项目",
        "category": "project",
        "proposed_by": "书记",
        "consulted": "全体支委",
        "decided_on": timezone.localdate(),
        "members_total": 5,
        "members_present": 5,
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 0,
        "content": "同意实施",
    }
    return services.record_decision(data, actor=_cli())


FACTORIES["democracy.decision"] = _decision
WRITE_BODIES.update(
    {
        "POST democracy-feedback-answer": Write(lambda w, o: {"answer": "已安排维修"}),
        "POST democracy-feedback-mine": Write(
            lambda w, o: {"category": _cat("suggestion").pk, "organisation": w.b.pk, "subject": "建议", "content": "建议增加活动"},
            actor=_b_member_user,
            url_side="A",
            fresh={"who": lambda w: make_member(w.b)},
            refused=(404,),
            why="只有党员本人（账号关联党员档案）可以提出：没有本人档案的用户得到404",
        ),
        "POST democracy-notice-read": Write(lambda w, o: {}, actor=_b_member_user, fresh={"who": lambda w: make_member(w.b)}),
        "POST democracy-consultation-opinion": Write(
            lambda w, o: {"stance": "agree"}, actor=_b_member_user, fresh={"who": lambda w: make_member(w.b)}
        ),
    }
)


# ── rule tables and the API writes of consultations, decisions, rectifications ─────────
_CONFIGURE = "全县设置：没有支部对象；只有 configure（县委组织部）可写"


def _b_meeting(w):
    from apps.orglife import services

    return services.create_meeting(
        {"organisation": w.b, "kind": "branch_committee", "held_on": timezone.localdate() - datetime.timedelta(days=2), "topic": "支委会"},
        actor=_cli(),
    )


def _decision_body(org, **extra):
    return {
        "organisation": org.pk,
        "topic": "村道硬化项目",
        "category": "project",
        "proposed_by": "书记",
        "consulted": "全体支委",
        "decided_on": timezone.localdate().isoformat(),
        "members_total": 5,
        "members_present": 5,
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 0,
        "content": "同意实施",
        **extra,
    }


WRITE_BODIES.update(
    {
        "democracy:feedback_category_edit": [
            Write(
                lambda w, o: {"code": "petition", "name": "信访事项", "answer_days": 20, "order": 50, "active": "on"},
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="新增",
            ),
            Write(
                lambda w, o: {"row": _cat("help").pk, "name": "求助", "answer_days": 3, "order": 30, "active": "on"},
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="修改",
            ),
        ],
        "democracy:notice_category_edit": [
            Write(
                lambda w, o: {"code": "finance", "name": "财务公开", "order": 60, "active": "on"},
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="新增",
            ),
            Write(
                lambda w, o: {"row": _ncat("other").pk, "name": "其他事项", "order": 90, "active": "on"},
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="修改",
            ),
        ],
        "POST democracy-consultation-list": Write(
            lambda w, o: {
                "organisation": w.b.pk,
                "title": "征求意见",
                "text": "内容",
                "audience": "members",
                "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            },
            url_side="A",
        ),
        "POST democracy-consultation-decide": Write(lambda w, o: {"decision": "按多数意见实施"}, fresh={"pk": _past_consultation}),
        "POST democracy-decision-list": Write(
            lambda w, o: _decision_body(w.b, meeting=o["meeting"].pk), url_side="A", fresh={"meeting": _b_meeting}
        ),
        "POST democracy-rectification-list": Write(
            lambda w, o: {
                "meeting": _life_meeting(w.b, "B").pk,
                "problem": "联系群众不够",
                "responsible": "组织委员",
                "measure": "每月走访",
                "deadline": timezone.localdate().isoformat(),
            },
            url_side="A",
        ),
        "POST democracy-rectification-done": Write(lambda w, o: {"done_note": "已整改"}),
    }
)
