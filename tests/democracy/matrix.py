"""The democracy domain's part of the access matrix."""

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
    from apps.democracy.models import FeedbackCategory

    data = {
        "origin": org,
        "citizen_name": "群众甲",
        "category": FeedbackCategory.objects.get(code="suggestion"),
        "subject": "村道路灯",
        "content": "路灯坏了",
    }
    return services.raise_feedback(data, actor=_cli())


def _notice(org, side):
    from apps.democracy import services
    from apps.democracy.models import NoticeCategory

    data = {
        "organisation": org,
        "category": NoticeCategory.objects.get(code="dues"),
        "audience": "members",
        "title": "上半年党费收缴情况",
        "body": "全体党员按时交纳",
        "publish_on": timezone.localdate(),
    }
    return services.publish_notice(data, actor=_cli())


def _b_member_user(w, objs):
    return make_user("member", w.b, member=objs["who"])


FACTORIES = {"democracy.feedback": _feedback, "democracy.notice": _notice}
PK_BY_URL_NAME = {"democracy:feedback": "democracy.feedback", "democracy:notice_withdraw": "democracy.notice"}
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
}


def _cat(code):
    from apps.democracy.models import FeedbackCategory

    return FeedbackCategory.objects.get(code=code)


def _ncat(code):
    from apps.democracy.models import NoticeCategory

    return NoticeCategory.objects.get(code=code)
