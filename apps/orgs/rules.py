"""Organisation rules declared as data (domain-rules §8). Read by apps.orgs.services."""

from dataclasses import dataclass

# Types in the tree, in the glossary's names. Order is the display order.
ORG_TYPES = [
    ("county_committee", "县委"),
    ("committee", "党委"),
    ("general_branch", "党总支"),
    ("branch", "党支部"),
    ("joint_branch", "联合党支部"),
    ("temporary_branch", "临时党支部"),
    ("party_group", "党小组"),
]
BRANCH_TYPES = {"branch", "joint_branch", "temporary_branch"}
GRASSROOTS_TYPES = {"committee", "general_branch", *BRANCH_TYPES}
# Organisations that hold members directly (a member's formal membership sits here).
MEMBER_HOLDING_TYPES = {"committee", "general_branch", *BRANCH_TYPES}

UNIT_TYPES = [
    ("government", "党政机关"),
    ("public_institution", "事业单位"),
    ("state_enterprise", "国有企业"),
    ("non_public_enterprise", "非公有制企业"),
    ("social_organisation", "社会组织"),
    ("village", "农村(行政村)"),
    ("community", "社区"),
    ("school", "学校"),
    ("retired", "离退休"),
    ("other", "其他"),
]

COMMITTEE_ROLES = [
    ("secretary", "书记"),
    ("deputy_secretary", "副书记"),
    ("organisation", "组织委员"),
    ("publicity", "宣传委员"),
    ("discipline", "纪检委员"),
    ("youth", "青年委员"),
    ("women", "妇女委员"),
    ("member", "委员"),
]
# Roles one person at a time holds on a committee (a second needs the first to leave).
SINGLE_COMMITTEE_ROLES = ("secretary",)


@dataclass(frozen=True)
class TermRule:
    org_types: frozenset
    unit_types: frozenset | None  # None: any unit type
    years: int
    source: str


# First matching rule wins: village and community organisations serve 5 years whatever
# their type; grassroots committees 5 years; general branches and branches 3 years.
TERM_RULES = [
    TermRule(frozenset(GRASSROOTS_TYPES), frozenset({"village", "community"}), 5, "村、社区党组织每届5年"),
    TermRule(frozenset({"county_committee", "committee"}), None, 5, "基层党委每届5年"),
    TermRule(frozenset({"general_branch", *BRANCH_TYPES}), None, 3, "党总支、党支部每届3年"),
]
TERM_REMINDER_MONTHS = 6  # remind about 6 months before the term ends
TERM_POSTPONEMENT_MAX_MONTHS = 12  # postponement ≤ 1 year with approval

# Structure rules (warnings, never blocks).
BRANCH_MIN_FULL_MEMBERS = 3
BRANCH_MAX_MEMBERS = 50
BRANCH_COMMITTEE_THRESHOLD = 7
