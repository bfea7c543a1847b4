"""Roles declared as data: what each may do, and over what (its organisation's subtree
or only the member's own record). Read by apps.accounts.scoping, nowhere else."""

from dataclasses import dataclass

# Actions
VIEW = "view"  # read records in scope
CHANGE = "change"  # create/update records in scope
APPROVE = "approve"  # higher-committee decisions (备案, 预审, 审批 …) for organisations below
REVEAL = "reveal"  # see a full ID number / phone, one record at a time (logged)
EXPORT_FULL = "export_full"  # export with unmasked personal data (logged)
CONFIGURE = "configure"  # edit county rule settings (intervals, calendars, rates)
MANAGE_USERS = "manage_users"  # create accounts and grant roles within the subtree
AUDIT = "audit"  # search the change history and access log
CHANGE_SELF = "change_self"  # a member edits the self-editable fields of their own record

ALL_ACTIONS = [VIEW, CHANGE, APPROVE, REVEAL, EXPORT_FULL, CONFIGURE, MANAGE_USERS, AUDIT, CHANGE_SELF]


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    actions: frozenset
    self_only: bool = False  # True: scope is the user's own member record
    description: str = ""


ROLES = [
    Role(
        "county_admin",
        "组织部管理员",
        frozenset({VIEW, CHANGE, APPROVE, REVEAL, EXPORT_FULL, CONFIGURE, MANAGE_USERS, AUDIT}),
        description="县委组织部：全县计划、检查、统计、县外转接",
    ),
    Role(
        "committee_organiser",
        "党委/党总支组织员",
        frozenset({VIEW, CHANGE, APPROVE, REVEAL, EXPORT_FULL, MANAGE_USERS, AUDIT}),
        description="审批发展党员步骤、检查下属支部、报表",
    ),
    Role(
        "branch_secretary",
        "党支部书记",
        frozenset({VIEW, CHANGE, REVEAL, EXPORT_FULL}),
        description="本支部党员、会议、党费、发展档案",
    ),
    Role(
        "branch_organiser",
        "支部组织委员",
        frozenset({VIEW, CHANGE, REVEAL}),
        description="协助书记管理本支部党员与发展档案",
    ),
    Role("county_leader", "县领导", frozenset({VIEW}), description="全县只读、本人联系点、统计看板"),
    Role("inspector", "督查员", frozenset({VIEW}), description="所辖范围只读，十规范检查"),
    Role("member", "党员", frozenset({VIEW, CHANGE_SELF}), self_only=True, description="本人信息、学时、党费、反馈"),
]
ROLE_BY_CODE = {r.code: r for r in ROLES}
ROLE_CHOICES = [(r.code, r.label) for r in ROLES]

# The fields a member may edit about themself are the member registry's rule:
# apps.members.codes.SELF_EDITABLE_FIELDS / SELF_REVIEWED_FIELDS.
