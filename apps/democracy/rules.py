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
