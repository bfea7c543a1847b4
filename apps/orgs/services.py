"""Writes to the organisation tree, serialised and audited; and the term and structure
rules of domain-rules §8, read from apps.orgs.rules."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from apps.core import paths, registry
from apps.core.audit import record_change, snapshot
from apps.core.dates import add_months, add_years
from apps.core.locks import advisory_lock
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.uniqueness import unique_messages

from . import rules
from .models import Organisation

TREE_LOCK = "dangjian.orgs.tree"
ORG_FIELDS = (
    "name",
    "short_name",
    "code",
    "org_type",
    "unit_type",
    "founded_on",
    "term_start",
    "term_end",
    "contact_person",
    "contact_phone",
    "address",
)
# Sent after a subtree moved and every declared path copy was rewritten (apps.core.paths),
# inside the transaction: for caches or other follow-ups; receivers get old_prefix, new_prefix.
subtree_moved = Signal()

# Which child types each type may hold.
ALLOWED_CHILDREN = {
    "county_committee": {"committee", "general_branch", *rules.BRANCH_TYPES},
    "committee": {"committee", "general_branch", *rules.BRANCH_TYPES},
    "general_branch": {*rules.BRANCH_TYPES},
    "branch": {"party_group"},
    "joint_branch": {"party_group"},
    "temporary_branch": {"party_group"},
    "party_group": set(),
}
TYPE_LABEL = dict(rules.ORG_TYPES)


def term_years(org_type: str, unit_type: str) -> tuple[int | None, str]:
    for rule in rules.TERM_RULES:
        if org_type in rule.org_types and (rule.unit_types is None or unit_type in rule.unit_types):
            return rule.years, rule.source
    return None, ""


def default_term_end(org_type: str, unit_type: str, term_start: datetime.date | None) -> datetime.date | None:
    years, _ = term_years(org_type, unit_type)
    if not years or not term_start:
        return None
    return add_years(term_start, years) - datetime.timedelta(days=1)


def term_state(org: Organisation, today: datetime.date | None = None) -> str:
    """ "overdue", "due" (within the reminder window), "ok" or "" (no term recorded)."""
    today = today or timezone.localdate()
    if not org.term_end:
        return ""
    if org.term_end < today:
        return "overdue"
    if org.term_end <= add_months(today, rules.TERM_REMINDER_MONTHS):
        return "due"
    return "ok"


def terms_due(queryset, today: datetime.date | None = None):
    """Organisations whose term ends within the reminder window or is overdue."""
    today = today or timezone.localdate()
    return queryset.filter(
        status=Organisation.Status.ACTIVE, term_end__isnull=False, term_end__lte=add_months(today, rules.TERM_REMINDER_MONTHS)
    ).order_by("term_end", "path")


def structure_warnings(org: Organisation) -> list[str]:
    """Structure rules (domain-rules §8) as warnings shown on the organisation page: what
    the apps keeping records in the organisation check (registry.org_warnings — the
    registry's branch size rules), then the term."""
    warnings = [text for source in registry.org_warnings for text in source.warnings(org)]
    if org.org_type in rules.BRANCH_TYPES and org.status == Organisation.Status.ACTIVE and term_state(org) == "overdue":
        warnings.append(f"任期已于 {org.term_end:%Y-%m-%d} 届满，应按期换届")
    return warnings


def _code_unique(code) -> dict:
    """The code is unique in the database too: a concurrent duplicate gets _validate's message."""
    return {"code": ("code", f"组织代码“{code}”已被使用")}


def _validate(data: dict, parent: Organisation | None, instance: Organisation | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    for field in ("name", "code", "org_type"):
        if field in clean or instance is None:
            if not (clean.get(field) or "").strip():
                errors.setdefault(field, []).append(f"{Organisation._meta.get_field(field).verbose_name}为必填项")
    org_type = clean.get("org_type") or (instance.org_type if instance else None)
    if org_type and org_type not in TYPE_LABEL:
        errors.setdefault("org_type", []).append(f"组织类别“{org_type}”不是有效取值")
    unit_type = clean.get("unit_type") or (instance.unit_type if instance else "other")
    if unit_type not in dict(rules.UNIT_TYPES):
        errors.setdefault("unit_type", []).append(f"单位类型“{unit_type}”不是有效取值")
    if "unit_type" in clean:
        clean["unit_type"] = unit_type  # left blank: unchanged (new: "other"), never stored as ""
    code = (clean.get("code") or "").strip()
    if code:
        clean["code"] = code
        clash = Organisation.objects.filter(code=code)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.setdefault("code", []).append(f"组织代码“{code}”已被使用")
    if parent is not None and org_type in TYPE_LABEL:
        if org_type not in ALLOWED_CHILDREN.get(parent.org_type, set()):
            errors.setdefault("org_type", []).append(f"{TYPE_LABEL[parent.org_type]}下不能设立{TYPE_LABEL[org_type]}")
        if parent.status != Organisation.Status.ACTIVE:
            errors.setdefault("parent", []).append(f"上级组织“{parent}”已撤销")
    today = timezone.localdate()
    for field in ("founded_on", "term_start"):
        value = clean.get(field)
        if value and value > today and field == "founded_on":
            errors.setdefault(field, []).append("成立日期不能晚于今天")
    start = clean.get("term_start", instance.term_start if instance else None)
    end = clean.get("term_end", instance.term_end if instance else None)
    if start and end and end <= start:
        errors.setdefault("term_end", []).append("任期届满日期必须晚于任期开始日期")
    if start and not end:
        clean["term_end"] = default_term_end(org_type, unit_type, start)
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def create_organisation(data: dict, *, parent: Organisation | None, actor) -> Organisation:
    data = {k: v for k, v in data.items() if k in ORG_FIELDS}
    if parent is None and not actor.is_superuser:
        raise ValidationError({"parent": ["只有系统管理员可以建立根组织"]})
    if parent is not None:
        require_org_action(actor, parent, "change")
    advisory_lock(TREE_LOCK)
    if parent is not None:
        parent = Organisation.objects.get(pk=parent.pk)  # fresh path/numchild under the lock
    clean = _validate(data, parent)
    node = Organisation(**clean)
    with unique_messages(Organisation, _code_unique(clean.get("code"))):
        org = Organisation.objects.add_child(parent, instance=node) if parent is not None else Organisation.objects.add_root(instance=node)
    record_change(org, ChangeLog.Action.CREATE)
    return org


@transaction.atomic
def update_organisation(org: Organisation, data: dict, *, actor) -> Organisation:
    data = {k: v for k, v in data.items() if k in ORG_FIELDS}
    require_org_action(actor, org, "change")
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    parent = Organisation.objects.get_parent(org)
    if "org_type" in data and data["org_type"] != org.org_type:
        bad = [c for c in Organisation.objects.get_children(org) if c.org_type not in ALLOWED_CHILDREN.get(data["org_type"], set())]
        if bad:
            raise ValidationError(
                {"org_type": [f"改为{TYPE_LABEL.get(data['org_type'], data['org_type'])}后，下级组织“{bad[0]}”的类别不再允许"]}
            )
    clean = _validate(data, parent, instance=org)
    before = snapshot(org)
    for k, v in clean.items():
        setattr(org, k, "" if v is None and org._meta.get_field(k).empty_strings_allowed and not org._meta.get_field(k).null else v)
    with unique_messages(Organisation, _code_unique(org.code)):
        org.save()
    record_change(org, ChangeLog.Action.UPDATE, before=before)
    return org


@transaction.atomic
def move_subtree(org: Organisation, new_parent: Organisation, *, actor) -> Organisation:
    """Move an organisation and everything under it (members included) below new_parent."""
    require_org_action(actor, org, "change")
    require_org_action(actor, new_parent, "change")
    advisory_lock(TREE_LOCK)
    org = Organisation.objects.get(pk=org.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": ["不能把组织移动到它自己或它的下级组织之下"]})
    if org.is_root():
        raise ValidationError({"parent": ["不能移动根组织"]})
    if org.org_type not in ALLOWED_CHILDREN.get(new_parent.org_type, set()):
        raise ValidationError({"parent": [f"{TYPE_LABEL[new_parent.org_type]}下不能设立{TYPE_LABEL[org.org_type]}"]})
    if new_parent.status != Organisation.Status.ACTIVE:
        raise ValidationError({"parent": [f"目标上级组织“{new_parent}”已撤销"]})
    old_parent = Organisation.objects.get_parent(org)
    if old_parent.pk == new_parent.pk:
        raise ValidationError({"parent": ["已在该上级组织之下"]})
    before = snapshot(org)
    before["parent"] = old_parent.name
    old_path = org.path
    Organisation.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    # Every copied path (members, files, dues, jobs, history …) follows: the models
    # declare their copies (PATH_COPIES); no list of tables is kept here.
    paths.rewrite_all(old_path, org.path)
    subtree_moved.send(sender=Organisation, old_prefix=old_path, new_prefix=org.path)
    record_change(org, ChangeLog.Action.UPDATE, before=before, message=f"组织移动：{old_parent} → {new_parent}")
    return org


@transaction.atomic
def dissolve_organisation(org: Organisation, *, date: datetime.date | None = None, actor) -> Organisation:
    """Dissolve (撤销) an organisation: refused while it or anything under it still holds
    members or active child organisations; move them first."""
    require_org_action(actor, org, "change")
    advisory_lock(TREE_LOCK)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.status == Organisation.Status.DISSOLVED:
        raise ValidationError({"status": ["该组织已撤销"]})
    if org.is_root():
        raise ValidationError({"status": ["不能撤销根组织"]})
    for holding in registry.org_holdings:  # members on the rolls (apps.members.tree) …
        if reason := holding.refusal(org.path):
            raise ValidationError({"status": [reason]})
    children = Organisation.objects.filter(path__startswith=org.path, status=Organisation.Status.ACTIVE).exclude(pk=org.pk)
    n_children = children.exclude(org_type="party_group").count()
    if n_children:
        raise ValidationError({"status": [f"该组织下仍有 {n_children} 个未撤销的下级组织，请先移动或撤销"]})
    before = snapshot(org)
    today = date or timezone.localdate()
    children.update(status=Organisation.Status.DISSOLVED, dissolved_on=today)
    org.status = Organisation.Status.DISSOLVED
    org.dissolved_on = today
    org.save(update_fields=["status", "dissolved_on", "updated_at"])
    record_change(org, ChangeLog.Action.UPDATE, before=before, message="撤销组织")
    return org


def subtree_member_count(org: Organisation) -> int:
    """Exact count of counted members in the subtree, from the per-organisation counters
    (one indexed range scan over organisations, not over members)."""
    from django.db.models import Sum

    return Organisation.objects.filter(path__startswith=org.path).aggregate(n=Sum("direct_member_count"))["n"] or 0
