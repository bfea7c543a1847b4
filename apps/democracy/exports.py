"""The democracy list screens that offer “导出Excel”. Columns come from the models' own
field declarations (apps.core.columns.fields)."""

from apps.core.columns import fields
from apps.core.registry import ListExport, lists

from . import selectors
from .models import Consultation, Decision, Feedback, LifeRectification, Notice, Opinion


def _register(name, title, rows, columns, page):
    lists.register(ListExport(name, title, rows, columns, page=page))


_register(
    "democracy_feedback",
    "意见反馈",
    selectors.feedback_list,
    fields(
        Feedback,
        "raised_on",
        ("提出人", "raiser_name", 14),
        "origin.name",
        ("负责答复", "organisation.name", 30),
        "category.name",
        "subject",
        "due_on",
        "level",
        "status",
        "answered_on",
        "answered_in_time",
    ),
    "democracy:feedback_list",
)
_register(
    "democracy_notices",
    "党务公开",
    selectors.notice_list,
    fields(Notice, "publish_on", "organisation.name", "category.name", "title", "audience", "withdraw_on", ("已读人数", "read_count", 10)),
    "democracy:notices",
)
_register(
    "democracy_consultations",
    "征求意见",
    selectors.consultation_list,
    fields(
        Consultation,
        "opens_on",
        "deadline",
        "organisation.name",
        "title",
        "audience",
        ("意见数", "opinion_count", 8),
        ("同意", "agree_count", 8),
        ("不同意", "disagree_count", 8),
        ("有修改意见", "suggest_count", 10),
        "status",
        "decided_on",
        "decision",
    ),
    "democracy:consultations",
)
_register(
    "democracy_opinions",
    "征求意见的党员意见",
    selectors.opinion_rows,
    # an anonymous opinion's name is withheld from the organisation (docs/security.md)
    fields(
        Opinion,
        ("党员", lambda o: "匿名" if o.anonymous else o.member.name, 14),
        "stance",
        "text",
        ("提交时间", lambda o: o.submitted_at.strftime("%Y-%m-%d %H:%M"), 18),
    ),
    "democracy:consultations",
)
_register(
    "democracy_decisions",
    "集体决策记录",
    selectors.decision_list,
    fields(
        Decision,
        "decided_on",
        "organisation.name",
        "topic",
        "category",
        "proposed_by",
        "consulted",
        "meeting",
        "consultation",
        "members_total",
        "members_present",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "result",
        "notice_start",
        "notice_end",
    ),
    "democracy:decisions",
)
_register(
    "democracy_rectifications",
    "生活会整改事项",
    selectors.rectification_list,
    fields(
        LifeRectification, "meeting", "organisation.name", "problem", "responsible", "measure", "deadline", "status", "done_on", "done_note"
    ),
    "democracy:life_meetings",
)
