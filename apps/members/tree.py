"""What the member registry tells the organisation tree (apps.core.registry's tree hooks,
registered in MembersConfig.ready()): members on the rolls block a dissolution, a branch's
size rules warn on its page, check_org_tree verifies the member counters and placements,
and the committee form picks members with the member picker. apps.orgs imports none of
this: members live in organisations, not the other way round."""

from django.db.models import Count, F, Q

from apps.orgs import rules
from apps.orgs.models import Organisation

from . import codes
from .models import Member

SAMPLE = 10  # rows named per problem; the report gives the total


def dissolve_refusal(path: str) -> str:
    members = Member.objects.active().filter(org_path__startswith=path).count()
    if members:
        return f"该组织及下级仍有 {members} 名在册党员，请先调整其组织关系再撤销"
    return ""


def branch_size_warnings(org: Organisation) -> list[str]:
    """Structure rules (domain-rules §8) on a branch's membership."""
    if org.org_type not in rules.BRANCH_TYPES or org.status != Organisation.Status.ACTIVE:
        return []
    counts = Member.objects.counted().filter(organisation=org).aggregate(total=Count("id"), full=Count("id", filter=Q(member_type="full")))
    warnings = []
    if counts["full"] < rules.BRANCH_MIN_FULL_MEMBERS:
        warnings.append(f"正式党员 {counts['full']} 名，少于{rules.BRANCH_MIN_FULL_MEMBERS}名：应与邻近单位成立联合党支部（支部工作条例）")
    if counts["total"] > rules.BRANCH_MAX_MEMBERS:
        warnings.append(f"党员 {counts['total']} 名，超过{rules.BRANCH_MAX_MEMBERS}名：党支部党员一般不超过50人，可考虑成立党总支")
    if counts["full"] >= rules.BRANCH_COMMITTEE_THRESHOLD:
        has_committee = org.committee.filter(end_date__isnull=True).exclude(role="secretary").exists()
        if not has_committee:
            warnings.append(f"正式党员 {counts['full']} 名（≥{rules.BRANCH_COMMITTEE_THRESHOLD}名），应设立支部委员会")
    return warnings


def check_counts(report, fix: bool) -> None:
    from .services import counted_per_organisation, recount_members

    actual = counted_per_organisation()
    rows = []
    for pk, name, stored in Organisation.objects.order_by("path").values_list("pk", "name", "direct_member_count").iterator():
        real = actual.get(pk, 0)
        if stored != real:
            rows.append(f"{name}（id={pk}）记录 {stored} 名，实际 {real} 名")
    if rows and fix:
        report("直属党员数与党员表不一致", [], fixed=f"已重新计算 {recount_members()} 个组织")
        return
    report("直属党员数与党员表不一致（可用 --fix-counts 修正）", rows)


def check_placements(report, fix: bool) -> None:
    rows = (
        Member.objects.active()
        .filter(organisation__status=Organisation.Status.DISSOLVED)
        .order_by()
        .values("organisation__name", "organisation_id")
        .annotate(n=Count("id"))
    )
    report("已撤销的组织仍有在册党员", [f"{r['organisation__name']}（id={r['organisation_id']}）{r['n']} 名" for r in rows])
    type_label = dict(rules.ORG_TYPES)
    misplaced = (
        Member.objects.filter(status__in=codes.ACTIVE_STATUSES)
        .exclude(organisation__org_type__in=rules.MEMBER_HOLDING_TYPES)
        .order_by()
        .values("organisation__name", "organisation__org_type")
        .annotate(n=Count("id"))
    )
    report(
        "党员组织关系放在不能直接管理党员的组织",
        [f"{type_label.get(r['organisation__org_type'])}“{r['organisation__name']}”{r['n']} 名" for r in misplaced],
    )
    groups = Member.objects.filter(party_group__isnull=False).exclude(party_group__path__startswith=F("org_path")).only("pk", "name")
    report("党员所在党小组不在其所在组织之下", [f"{m.name}（id={m.pk}）" for m in groups[:SAMPLE]], groups.count())


def member_picker(*, label: str, required: bool = False, user, under=None):
    from .picker import MemberPickerField

    return MemberPickerField(label=label, required=required).for_user(user, under=under)
