"""Demo accounts for the demo county: one per role, plus a secretary of another branch
to show scoping. The demo county calls `populate`; `manage.py demo_logins` prints them.

Passwords are fixed and printed (a demo only). Under DEMO_MODE (make run) the demo
accounts are created without the must-change-password flag, so the printed passwords work
at once; that flag, not a setting, is the exemption: every other account, including one
created on the users page under make run, must change its password at first login
(apps.accounts.middleware). Outside DEMO_MODE the demo accounts are flagged too.
"""

from dataclasses import dataclass

from django.conf import settings

from apps.core.actors import system_actor
from apps.core.context import acting_as

from .models import RoleAssignment, User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    org_key: str  # county / committee / branch / other_branch
    display_name: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Demo#2026-admin", "county_admin", "county", "组织部管理员（演示）"),
    DemoAccount("leader", "Demo#2026-leader", "county_leader", "county", "县领导（演示）"),
    DemoAccount("organiser", "Demo#2026-organiser", "committee_organiser", "committee", "党委组织员（演示）"),
    DemoAccount("inspector", "Demo#2026-inspector", "inspector", "committee", "督查员（演示）"),
    DemoAccount("secretary", "Demo#2026-secretary", "branch_secretary", "branch", "支部书记（演示）"),
    DemoAccount("branchorg", "Demo#2026-branchorg", "branch_organiser", "branch", "组织委员（演示）"),
    DemoAccount("member", "Demo#2026-member", "member", "branch", ""),
    DemoAccount("secretary2", "Demo#2026-secretary2", "branch_secretary", "other_branch", "另一支部书记（演示）"),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]


def _has_members(org) -> bool:
    from apps.members.models import Member

    return Member.objects.filter(organisation=org).exists()


def _pick_orgs(root_org) -> dict:
    """county = root; committee = first 党委/党总支 by path with a branch child holding
    members; branch = that child; other_branch = a branch under another committee (or
    another branch of the same committee when there is only one)."""
    from apps.members.demo import pick_demo_orgs

    picked = pick_demo_orgs()
    if picked and picked.get("branch") is not None and picked.get("county") == root_org:
        return picked

    from apps.orgs.models import Organisation
    from apps.orgs.rules import BRANCH_TYPES

    subtree = Organisation.objects.filter(path__startswith=root_org.path, status=Organisation.Status.ACTIVE)
    committee = branch = None
    for candidate in subtree.filter(org_type__in=("committee", "general_branch")).order_by("path"):
        for child in subtree.filter(path__startswith=candidate.path, depth=candidate.depth + 1, org_type__in=BRANCH_TYPES).order_by("path"):
            if _has_members(child):
                committee, branch = candidate, child
                break
        if branch is not None:
            break
    if branch is None:
        return {"county": root_org, "committee": None, "branch": None, "other_branch": None}
    others = subtree.filter(org_type__in=BRANCH_TYPES).exclude(path__startswith=committee.path).order_by("path")
    other = others.first() or subtree.filter(org_type__in=BRANCH_TYPES).exclude(pk=branch.pk).order_by("path").first()
    return {"county": root_org, "committee": committee, "branch": branch, "other_branch": other}


def populate(root_org, rng=None, as_of=None) -> list[User]:
    """Create the demo accounts under root_org (idempotent: existing usernames are kept).
    rng and as_of are accepted for the demo county's uniform interface; the accounts are
    deterministic."""
    from apps.members.models import Member

    from . import services

    orgs = _pick_orgs(root_org)
    must_change = not settings.DEMO_MODE
    created = []
    with acting_as(None, source="demo"):
        for account in DEMO_ACCOUNTS:
            org = orgs.get(account.org_key)
            if org is None or User.objects.filter(username=account.username).exists():
                continue
            member = None
            display_name = account.display_name
            if account.role == "member":
                member = Member.objects.filter(organisation=org, account__isnull=True).active().order_by("id").first()
                if member is None:
                    continue
                display_name = member.name
            user = services.create_user(
                account.username,
                account.password,
                display_name=display_name,
                member=member,
                role=account.role,
                org=org,
                must_change_password=must_change,
                actor=system_actor("demo"),
            )
            created.append(user)
    return created


def demo_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role label, organisation) for every existing demo account."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assignments = {
        (a.user_id, a.role): a for a in RoleAssignment.objects.current().filter(user__in=users.values()).select_related("organisation")
    }
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        a = assignments.get((user.pk, account.role))
        rows.append(
            (
                account.username,
                account.password if user.check_password(account.password) else "（已修改）",
                a.get_role_display() if a else "（角色已撤销）",
                a.organisation.name if a else "—",
            )
        )
    return rows
