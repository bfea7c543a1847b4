"""Intra-party democracy rules (the seed's 三.5): feedback categories with their answer
time (working days, editable: FeedbackCategory rows seeded from DEFAULT_CATEGORIES), the
党务公开 notice categories and audiences."""

DEFAULT_FEEDBACK_CATEGORIES = [
    # code, name, answer within N working days, order
    ("suggestion", "意见建议", 15, 10),
    ("complaint", "投诉反映", 10, 20),
    ("help", "求助", 5, 30),
    ("rights", "党员权利保障（申诉、控告）", 15, 40),
]
MAX_ANSWER_DAYS = 60  # an answer time limit the county sets: 1 to 60 working days
DEFAULT_NOTICE_CATEGORIES = [
    ("org_building", "组织建设", 10),
    ("development", "党员发展", 20),
    ("dues", "党费收缴", 30),
    ("commendation", "评先评优", 40),
    ("decision", "重大事项", 50),
    ("other", "其他", 90),
]
AUDIENCES = [
    ("members", "本组织党员"),
    ("subtree", "本组织及下级组织党员"),
    ("public", "公开栏（党员和群众）"),
]

# ── 征求意见 ───────────────────────────────────────────────────────────────────────────
CONSULTATION_AUDIENCES = [
    ("members", "本组织党员"),
    ("subtree", "本组织及下级组织党员"),
]
STANCES = [("agree", "同意"), ("disagree", "不同意"), ("suggest", "有修改意见")]
CONSULTATION_MAX_DAYS = 90  # a consultation runs at most 90 days

# ── 集体决策 (集体领导、个别酝酿、会议决定; 票决制) ─────────────────────────────────────
DECISION_CATEGORIES = [
    ("major_matter", "重大事项决策"),
    ("cadre", "重要干部任免"),
    ("project", "重大项目安排"),
    ("funds", "大额资金使用"),
    ("other", "其他"),
]
# The meeting needs more than half of the committee present; a matter passes when the
# votes for are more than half of the committee members who should attend (应到).
DECISION_QUORUM = "more_than_half"
# The orglife meetings a collective decision is taken at (the decision form lists the
# organisation's own held meetings of these kinds).
DECISION_MEETING_KINDS = ("branch_committee", "committee_meeting", "general_meeting")
DECISION_CHOICE_DAYS = 730  # the form lists the meetings and consultations of the last two years
NOTICE_WORKDAYS = 5  # 公示 of a decision: at least 5 working days (as in recruitment)

# ── 生活会: the orglife meeting kinds whose criticism gets a rectification list ──────────
LIFE_MEETING_KINDS = ("democratic_life", "life_meeting")
RESULT_TODO_DAYS = 30  # a respondent sees a decided consultation in the to-do list this long
