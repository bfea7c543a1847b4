"""Writes to the member registry. Web forms, the API, the Excel import, the demo data
and the CLI all call these functions; they own validation, the transaction, the
organisation counters and the audit entry."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core import bulk, crypto, text
from apps.core.audit import change_row, record_change, snapshot
from apps.core.context import current_actor
from apps.core.dates import add_years
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError, require_org_action, user_scope
from apps.core.uniqueness import unique_messages
from apps.orgs.models import Organisation
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from . import codes, idnumber
from .codes import SELF_EDITABLE_FIELDS, SELF_REVIEWED_FIELDS
from .models import Member, MemberCategory, MemberChangeRequest, MemberDiscipline, MemberStatusChange, MemberTransferHistory

# Fields a caller may pass to create_member / update_member (plain values for the
# personal data; the service encrypts them).
MEMBER_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "native_place",
    "education",
    "degree",
    "occupation",
    "work_unit",
    "job_post",
    "work_start_date",
    "phone",
    "address",
    "application_date",
    "join_date",
    "conversion_date",
    "member_type",
    "status",
    "lost_contact_reason",
    "increase_method",
    "organisation",
    "party_group",
    "remarks",
    "categories",
)
REQUIRED = ("name", "sex", "birth_date", "id_number", "education", "occupation", "join_date", "member_type", "organisation")
LABELS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "native_place": "籍贯",
    "education": "学历",
    "degree": "学位",
    "occupation": "工作岗位（职业）",
    "work_unit": "工作单位",
    "job_post": "职务",
    "work_start_date": "参加工作日期",
    "phone": "联系电话",
    "address": "家庭住址",
    "application_date": "申请入党日期",
    "join_date": "入党日期",
    "conversion_date": "转正日期",
    "member_type": "人员类别",
    "status": "党籍状态",
    "lost_contact_reason": "失联原因",
    "increase_method": "增加方式",
    "organisation": "所在党组织",
    "party_group": "所在党小组",
    "remarks": "备注",
    "categories": "党员类别",
}
CHOICE_FIELDS = {
    "sex": codes.SEX_CHOICES,
    "ethnicity": codes.ETHNICITY_CHOICES,
    "education": codes.EDUCATION_CHOICES,
    "degree": codes.DEGREE_CHOICES,
    "occupation": codes.OCCUPATION_CHOICES,
    "member_type": codes.MEMBER_TYPE_CHOICES,
    "status": codes.STATUS_CHOICES,
    "lost_contact_reason": [("", ""), *codes.LOST_CONTACT_REASONS],
    "increase_method": codes.INCREASE_METHOD_CHOICES,
}
MIN_JOIN_AGE = 18
PHONE_CHARS = set("0123456789-+ ")
DUPLICATE_ID = "该身份证号已有在册党员记录（同一身份证号只能有一条在册记录）"
DUPLICATE_ACTIVE = "同一身份证号已有另一条在册记录"
# The database holds the one-active-record rule for concurrent writes (member_id_number_unique_active);
# the loser gets the sequential check's message (apps.core.uniqueness).
ID_UNIQUE = {"member_id_number_unique_active": ("id_number", DUPLICATE_ID)}
STATUS_UNIQUE = {"member_id_number_unique_active": ("status", DUPLICATE_ACTIVE)}


@dataclass(frozen=True)
class Procedure:
    """A change the regulations tie to a procedure: only that procedure's engine (the app
    named `engine`) makes it, by passing `engine="<app>"` to update_member/change_status.
    The registry's generic edit form, PATCH, status change and import refuse it and name
    the page where the procedure is run."""

    engine: str
    label: str
    page: str

    @property
    def message(self) -> str:
        return f"{self.label}须按规定程序办理，不能直接修改：{self.page}"


_DEVELOPMENT_PAGE = "请在“发展党员 › 发展档案”中该预备党员的档案里办理（第23步支部大会讨论、第24步上级党委审批）"
_HANDLING_PAGE = "请在“党员管理 › 组织处置”中办理（支部大会讨论决定、报上级党委批准）"
# Statuses only an engine sets (党章第七条、第九条; 组织关系转接).
PROCEDURE_STATUSES = {
    "cancelled_probation": Procedure("recruitment", "取消预备党员资格", _DEVELOPMENT_PAGE),
    "withdrawn": Procedure("appraisal", "劝其退党（出党·退党）", _HANDLING_PAGE),
    "removed": Procedure("appraisal", "除名", _HANDLING_PAGE),
    "self_withdrawal": Procedure("appraisal", "自行脱党除名", _HANDLING_PAGE),
    "transferred_out": Procedure("mobility", "组织关系转出本系统", "请在“流动与转接 › 组织关系转接”中开具介绍信，回执退回后登记"),
    # 停止党籍: only for a member lost contact 6 months or more (党员教育管理工作条例 第24条).
    "suspended": Procedure("appraisal", "停止党籍", "请在“党员管理 › 失联党员”中办理（失联满6个月方可停止党籍）"),
    # 开除党籍 is a disciplinary sanction: recording the sanction sets the status.
    "expelled": Procedure("members", "开除党籍", "请在党员档案的“党纪处分”中登记开除党籍处分（作出决定的组织、决定日期、事由）"),
}
# Fields of an existing record only an engine changes: 预备党员转正、延长预备期、取消资格.
PROCEDURE_FIELDS = {
    "member_type": Procedure("recruitment", "人员类别（预备党员转正、延长预备期、取消预备党员资格）", _DEVELOPMENT_PAGE),
}


def _age(birth, on):
    return idnumber.age_on(birth, on)


def _codes_and_labels(choices) -> tuple[frozenset, dict]:
    return frozenset(code for code, _ in choices), {label: code for code, label in choices}


# Per coded field and for the categories: the codes, and label → code (built once;
# validation runs per row on import).
_CHOICE_CODES = {field: _codes_and_labels(choices) for field, choices in CHOICE_FIELDS.items()}
_CATEGORY_CODES = _codes_and_labels(codes.CATEGORY_CHOICES)


def validate_member_data(
    data: dict,
    *,
    instance: Member | None = None,
    today: datetime.date | None = None,
    check_duplicate: bool = True,
    engine: str = "",
) -> dict:
    """Check one member's values against every registry rule; return the normalised
    values or raise ValidationError({field: [Chinese message naming the rule]}).
    check_duplicate=False skips the one per-row query for an existing ID number: only
    for callers that check a whole batch against the database themselves (Excel import).
    `engine`: the app whose procedure makes this change (PROCEDURE_FIELDS); others are refused."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    clean = dict(data)

    def err(field, message):
        errors.setdefault(field, []).append(message)

    for field in REQUIRED:
        value = clean.get(field)
        if (value is None or value == "") and not (instance and field not in data):
            err(field, f"{LABELS[field]}为必填项")

    for field, (allowed, labels) in _CHOICE_CODES.items():
        value = clean.get(field)
        if value in (None, ""):
            continue
        if value not in allowed:
            if value in labels:  # accept the Chinese label too (import, API)
                clean[field] = labels[value]
            else:
                err(field, f"{LABELS[field]}“{value}”不是有效取值")

    if instance is not None:
        for field, procedure in PROCEDURE_FIELDS.items():
            value = clean.get(field)
            if value not in (None, "") and value != getattr(instance, field) and engine != procedure.engine:
                err(field, procedure.message)

    if "name" in clean:
        clean["name"] = name = text.normalise_name(clean.get("name") or "")
        if name and (problem := text.name_error(name)):
            err("name", problem)
    if clean.get("remarks") and (problem := text.length_error(clean["remarks"], "备注", text.REMARKS_MAX)):
        err("remarks", problem)

    facts = None
    if not clean.get("id_number") and instance is not None and ("sex" in clean or "birth_date" in clean) and instance.id_number_enc:
        # Sex and birth date must still agree with the number on record when only they change.
        clean["id_number"] = instance.reveal_id_number()
    if clean.get("id_number"):
        try:
            facts = idnumber.parse(clean["id_number"], today=today)
            clean["id_number"] = facts.number
        except idnumber.IdNumberError as exc:
            err("id_number", str(exc))

    birth = clean.get("birth_date") if "birth_date" in clean else (instance.birth_date if instance else None)
    if facts:
        if birth and birth != facts.birth_date:
            err("birth_date", f"出生日期 {birth:%Y-%m-%d} 与身份证号中的出生日期 {facts.birth_date:%Y-%m-%d} 不一致")
        elif not birth:
            clean["birth_date"] = birth = facts.birth_date
        sex = clean.get("sex") if "sex" in clean else (instance.sex if instance else None)
        if sex in ("M", "F") and sex != facts.sex:
            err("sex", f"性别与身份证号不一致：第17位为{'奇数（男）' if facts.sex == 'M' else '偶数（女）'}")
        elif not sex:
            clean["sex"] = facts.sex

    if birth and birth > today:
        err("birth_date", "出生日期不能晚于今天")

    def current(field):
        return clean.get(field) if field in clean else (getattr(instance, field) if instance else None)

    application = current("application_date")
    join = current("join_date")
    conversion = current("conversion_date")
    work_start = current("work_start_date")
    member_type = current("member_type")
    for field, value in (
        ("application_date", application),
        ("join_date", join),
        ("conversion_date", conversion),
        ("work_start_date", work_start),
    ):
        if value and value > today:
            err(field, f"{LABELS[field]}不能晚于今天")
        if value and birth and value < birth:
            err(field, f"{LABELS[field]}不能早于出生日期")
    if application and birth and _age(birth, application) < MIN_JOIN_AGE:
        err("application_date", f"申请入党时须年满{MIN_JOIN_AGE}周岁（党章第一条），申请日出生满{_age(birth, application)}岁")
    if join and birth and _age(birth, join) < MIN_JOIN_AGE:
        err("join_date", f"入党时须年满{MIN_JOIN_AGE}周岁（党章第一条）")
    if application and join and join < application:
        err("join_date", "入党日期不能早于申请入党日期")
    if conversion and join and conversion < join:
        err("conversion_date", "转正日期不能早于入党日期")
    if member_type == "full" and not conversion and join and join.year >= 1990:
        err("conversion_date", "正式党员须填写转正日期")
    if member_type == "probationary" and conversion:
        err("conversion_date", "预备党员不应有转正日期；转正请通过转正程序办理")

    phone = clean.get("phone")
    if phone:
        phone = str(phone).strip().translate(idnumber.FULLWIDTH)
        clean["phone"] = phone
        if not set(phone) <= PHONE_CHARS or not (7 <= len(phone.replace("-", "").replace(" ", "")) <= 15):
            err("phone", "联系电话格式不正确：手机号11位，座机请带区号")

    org = clean.get("organisation")
    if org is not None and isinstance(org, Organisation):
        if org.status != Organisation.Status.ACTIVE:
            err("organisation", f"“{org}”已撤销，不能接收党员")
        elif org.org_type not in MEMBER_HOLDING_TYPES:
            err("organisation", f"党员组织关系应在党委、党总支或党支部，不能直接放在{org.get_org_type_display()}")
    group = clean.get("party_group")
    if group is not None and org is not None and isinstance(group, Organisation):
        if group.org_type != "party_group" or not group.path.startswith(org.path):
            err("party_group", "所在党小组必须是所在党组织下设的党小组")

    cats = clean.get("categories")
    if cats is not None:
        allowed, labels = _CATEGORY_CODES
        normalised = []
        for c in cats:
            c = labels.get(c, c)
            if c not in allowed:
                err("categories", f"党员类别“{c}”不是有效取值")
            else:
                normalised.append(c)
        clean["categories"] = sorted(set(normalised))

    if check_duplicate and facts and "id_number" not in errors:
        duplicate = Member.objects.active().by_id_number(facts.number)
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        if duplicate.exists():
            err("id_number", DUPLICATE_ID)

    if errors:
        raise ValidationError(errors)
    return clean


def apply_values(member: Member, clean: dict) -> None:
    """Set validated values on a record as every writer must: encryption, blind index,
    masks, pinyin keys and the org_path copy (used by the services and the bulk import)."""
    for field in MEMBER_FIELDS:
        if field not in clean or field in ("id_number", "phone", "categories"):
            continue
        value = clean[field]
        if value is None and member._meta.get_field(field).empty_strings_allowed and not member._meta.get_field(field).null:
            value = ""
        setattr(member, field, value)
    if "id_number" in clean:
        number = clean["id_number"]
        member.id_number_enc = crypto.encrypt(number)
        member.id_number_hash = crypto.blind_index(number)
        member.id_number_masked = crypto.mask_id_number(number)
    if "phone" in clean:
        phone = clean["phone"] or ""
        member.phone_enc = crypto.encrypt(phone)
        member.phone_hash = crypto.blind_index(phone)
        member.phone_masked = crypto.mask_phone(phone)
    if "name" in clean:
        member.set_name_keys()
    member.org_path = member.organisation.path


def _counts(status: str) -> bool:
    return status in codes.COUNTED_STATUSES


def _bump(org_id: int, delta: int) -> None:
    if delta:
        Organisation.objects.filter(pk=org_id).update(direct_member_count=F("direct_member_count") + delta)


def _set_categories(member: Member, categories: list[str]) -> None:
    member.__dict__.pop("_known_category_codes", None)
    existing = set(member.categories.values_list("code", flat=True))
    wanted = set(categories)
    if existing - wanted:
        member.categories.filter(code__in=existing - wanted).delete()
    MemberCategory.objects.bulk_create([MemberCategory(member=member, code=c) for c in sorted(wanted - existing)])
    bits = codes.category_bits(wanted)
    if bits != member.category_bits:
        member.category_bits = bits
        member.updated_at = timezone.now()  # statistics snapshots re-count what changed after a build
        Member.objects.filter(pk=member.pk).update(category_bits=bits, updated_at=member.updated_at)


def _new_member(clean: dict) -> Member:
    """An unsaved record from validated values, as every creation builds it."""
    member = Member()
    apply_values(member, clean)
    member.status_since = member.status_since or member.join_date
    return member


def _first_status(member: Member) -> dict:
    return {
        "member_id": member.pk,
        "from_status": "",
        "to_status": member.status,
        "date": member.join_date,
        "reason": "建立党员档案",
        "recorded_by": current_actor().username,
    }


def _authorise_paths(actor, paths, action: str = "change") -> None:
    """require_org_action for many records at once (one scope lookup)."""
    scope = user_scope(actor, action)
    for path in set(paths):
        if not scope.covers_path(path):
            require_org_action(actor, Organisation.objects.get(path=path), action)


@transaction.atomic
def create_member(data: dict, *, actor, today=None) -> Member:
    """Add a member record. The actor must be allowed to change the target
    organisation; the CLI and demo data act as the system."""
    data = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    data.setdefault("status", "normal")
    clean = validate_member_data(data, today=today)
    require_org_action(actor, clean["organisation"], "change")
    member = _new_member(clean)
    with unique_messages(Member, ID_UNIQUE):
        member.save()
    _set_categories(member, clean.get("categories") or [])
    if _counts(member.status):
        _bump(member.organisation_id, 1)
    MemberStatusChange.objects.create(**_first_status(member))
    record_change(member, ChangeLog.Action.CREATE)
    return member


# -- many records at once (the Excel import): the same writes, in bulk statements


def bulk_create_members(cleans: list[dict], *, actor, message: str = "", at=None, counts: Counter | None = None) -> list[Member]:
    """create_member for many rows: the same record values, categories, first status
    history row, organisation counters and ChangeLog rows, in a fixed number of bulk
    statements. The caller validated every row (validate_member_data), checked the ID
    numbers against the register under its lock, and holds the transaction.

    counts: a Counter that collects the organisation counter increments instead of
    writing them; the caller, calling this once per chunk, writes the sum once
    (bulk.add_to_counts) before its transaction ends."""
    _authorise_paths(actor, [c["organisation"].path for c in cleans])
    members = [_new_member(c) for c in cleans]
    categories = [sorted(set(c.get("categories") or [])) for c in cleans]
    for m, cats in zip(members, categories, strict=True):
        m.category_bits = codes.category_bits(cats)
    bulk.insert(Member, members, with_ids=True)
    bulk.insert_dicts(
        MemberCategory, [{"member_id": m.pk, "code": code} for m, cats in zip(members, categories, strict=True) for code in cats]
    )
    bulk.insert_dicts(MemberStatusChange, [_first_status(m) for m in members])
    logs = []
    for m, cats in zip(members, categories, strict=True):
        m.set_known_category_codes(cats)
        logs.append(change_row(m, ChangeLog.Action.CREATE, before=None, after=snapshot(m), message=message, at=at))
    bulk.insert_dicts(ChangeLog, logs)
    increments = Counter(m.organisation_id for m in members if _counts(m.status))
    if counts is None:
        bulk.add_to_counts(Organisation, "direct_member_count", increments)
    else:
        counts.update(increments)
    return members


_BULK_UPDATE_FIELDS = None


def _bulk_update_fields() -> list[str]:
    # update_member never moves a record or changes its status (their own services do).
    global _BULK_UPDATE_FIELDS
    if _BULK_UPDATE_FIELDS is None:
        skip = ("organisation", "org_path", "status", "created_at", "status_since")
        _BULK_UPDATE_FIELDS = [f.name for f in Member._meta.concrete_fields if not f.primary_key and f.name not in skip]
    return _BULK_UPDATE_FIELDS


def bulk_update_members(rows: list[tuple[Member, dict]], *, actor, message: str = "", at=None) -> list[Member]:
    """update_member for many records (the Excel import): validated values (the caller ran
    validate_member_data with the record as instance, which refuses procedure-owned
    changes) applied as update_member applies them, categories kept in step, one ChangeLog
    row per record with before and after. Organisation and status are never changed here."""
    _authorise_paths(actor, [m.org_path for m, _ in rows])
    now = timezone.now()
    members, befores = [], []
    for member, clean in rows:
        if clean.get("organisation") is not None and clean["organisation"].pk != member.organisation_id:
            raise ValidationError({"organisation": ["变更所在党组织请使用“组织关系调整”，以保留转接记录"]})
        if clean.get("status") and clean["status"] != member.status:
            raise ValidationError({"status": ["变更党籍状态请使用“党籍状态变更”，以保留状态历史"]})
        befores.append(snapshot(member))
        apply_values(member, {k: v for k, v in clean.items() if k != "status"})
        if "categories" in clean:
            member.category_bits = codes.category_bits(clean["categories"])
        member.updated_at = now
        members.append(member)
    Member.objects.bulk_update(members, _bulk_update_fields(), batch_size=1000)
    _bulk_set_categories([(m, c["categories"]) for m, c in rows if "categories" in c])
    logs = []
    for (member, clean), before in zip(rows, befores, strict=True):
        after = snapshot(member)
        if "categories" in clean:
            after["categories"] = sorted(set(clean["categories"]))
        logs.append(change_row(member, ChangeLog.Action.UPDATE, before=before, after=after, message=message, at=at))
    bulk.insert_dicts(ChangeLog, logs)
    return members


def _bulk_set_categories(rows: list[tuple[Member, list[str]]]) -> None:
    """_set_categories for many records (one read, one delete per changed record, one insert)."""
    wanted = {m.pk: set(cats) for m, cats in rows}
    if not wanted:
        return
    for m, cats in rows:
        m.set_known_category_codes(sorted(set(cats)))
    current = defaultdict(set)
    for member_id, code in MemberCategory.objects.filter(member_id__in=list(wanted)).values_list("member_id", "code"):
        current[member_id].add(code)
    for member_id, codes_ in wanted.items():
        gone = current[member_id] - codes_
        if gone:
            MemberCategory.objects.filter(member_id=member_id, code__in=gone).delete()
    MemberCategory.objects.bulk_create(
        [MemberCategory(member_id=mid, code=c) for mid, codes_ in wanted.items() for c in sorted(codes_ - current[mid])]
    )


@transaction.atomic
def update_member(member: Member, data: dict, *, actor, today=None, engine: str = "") -> Member:
    """Change a member's record. Moving to another organisation and changing status have
    their own services (they keep history); here they are refused, and so are the fields
    a procedure owns (PROCEDURE_FIELDS) unless its engine is the caller."""
    return _update_member(
        member, data, today=today, engine=engine, authorise=lambda locked: require_org_action(actor, locked.organisation, "change")
    )


def _update_member(member: Member, data: dict, *, today=None, authorise, engine: str = "") -> Member:
    """update_member's body; `authorise(locked_member)` is the caller's scope check (the
    organisation's "change" right, or the member's own "change_self" already checked)."""
    data = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    if "organisation" in data and data["organisation"] is not None and data["organisation"].pk != member.organisation_id:
        raise ValidationError({"organisation": ["变更所在党组织请使用“组织关系调整”，以保留转接记录"]})
    if "status" in data and data["status"] != member.status:
        raise ValidationError({"status": ["变更党籍状态请使用“党籍状态变更”，以保留状态历史"]})
    data.pop("organisation", None)
    data.pop("status", None)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if authorise is not None:
        authorise(member)
    clean = validate_member_data({**data, "organisation": member.organisation}, instance=member, today=today, engine=engine)
    before = snapshot(member)
    apply_values(member, clean)
    with unique_messages(Member, ID_UNIQUE):
        member.save()
    if "categories" in clean:
        _set_categories(member, clean["categories"])
    record_change(member, ChangeLog.Action.UPDATE, before=before)
    return member


@transaction.atomic
def change_status(
    member: Member,
    to_status: str,
    *,
    date: datetime.date,
    reason: str = "",
    actor,
    lost_contact_reason: str = "",
    engine: str = "",
) -> Member:
    """Change a member's status (history kept). A status a procedure owns
    (PROCEDURE_STATUSES) is set only by its engine, which passes engine="<its app>"."""
    allowed = {c for c, _ in codes.STATUS_CHOICES}
    if to_status not in allowed:
        raise ValidationError({"status": [f"党籍状态“{to_status}”不是有效取值"]})
    procedure = PROCEDURE_STATUSES.get(to_status)
    if procedure is not None and engine != procedure.engine:
        raise ValidationError({"status": [procedure.message]})
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if to_status == member.status:
        raise ValidationError({"status": ["新状态与当前状态相同"]})
    if date > timezone.localdate():
        raise ValidationError({"date": ["状态变更日期不能晚于今天"]})
    if member.status_since and date < member.status_since:
        raise ValidationError({"date": [f"状态变更日期不能早于上次变更日期 {member.status_since:%Y-%m-%d}"]})
    if member.status in codes.ENDED_STATUSES:
        raise ValidationError({"status": [f"该党员已{member.get_status_display()}，不能再变更党籍状态"]})
    if to_status == "lost_contact" and not lost_contact_reason:
        raise ValidationError({"lost_contact_reason": ["标记失联须填写失联原因"]})
    if member.status not in codes.ENDED_STATUSES and to_status in codes.ACTIVE_STATUSES:
        clash = Member.objects.active().filter(id_number_hash=member.id_number_hash).exclude(pk=member.pk)
        if clash.exists():
            raise ValidationError({"status": [DUPLICATE_ACTIVE]})
    before = snapshot(member)
    from_status = member.status
    member.status = to_status
    member.status_since = date
    if to_status == "lost_contact":
        member.lost_contact_reason = lost_contact_reason
    with unique_messages(Member, STATUS_UNIQUE):
        member.save(update_fields=["status", "status_since", "lost_contact_reason", "updated_at"])
    _bump(member.organisation_id, int(_counts(to_status)) - int(_counts(from_status)))
    MemberStatusChange.objects.create(
        member=member,
        from_status=from_status,
        to_status=to_status,
        date=date,
        reason=reason,
        recorded_by=current_actor().username,
    )
    record_change(member, ChangeLog.Action.UPDATE, before=before, message=f"党籍状态变更：{reason}")
    return member


@transaction.atomic
def move_member(member: Member, to_org: Organisation, *, date: datetime.date, reason: str = "", actor) -> Member:
    """Move a member's formal membership to another organisation inside the system."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    require_org_action(actor, to_org, "change")
    if to_org.pk == member.organisation_id:
        raise ValidationError({"organisation": ["目标组织与当前所在组织相同"]})
    validate_member_data({"organisation": to_org}, instance=member)
    before = snapshot(member)
    from_org = member.organisation
    member.organisation = to_org
    member.org_path = to_org.path
    member.party_group = None
    member.save(update_fields=["organisation", "org_path", "party_group", "updated_at"])
    if _counts(member.status):
        _bump(from_org.pk, -1)
        _bump(to_org.pk, 1)
    MemberTransferHistory.objects.create(member=member, from_org=from_org, to_org=to_org, date=date, reason=reason)
    record_change(member, ChangeLog.Action.UPDATE, before=before, message=f"组织关系调整：{from_org} → {to_org}")
    return member


def counted_per_organisation() -> dict[int, int]:
    """{organisation id: counted members directly in it} from the member table: what
    direct_member_count must hold (check_org_tree compares, recount_members repairs)."""
    from django.db.models import Count

    return dict(Member.objects.counted().order_by().values("organisation_id").annotate(n=Count("id")).values_list("organisation_id", "n"))


def recount_members(org_ids=None) -> int:
    """Recompute direct_member_count from the member table (repair tool; check_org_tree
    reports drift). Returns how many organisations changed."""
    counts = counted_per_organisation()
    qs = Organisation.objects.all()
    if org_ids is not None:
        qs = qs.filter(pk__in=org_ids)
    changed = []
    for org in qs.only("pk", "direct_member_count"):
        n = counts.get(org.pk, 0)
        if org.direct_member_count != n:
            org.direct_member_count = n
            changed.append(org)
    Organisation.objects.bulk_update(changed, ["direct_member_count"], batch_size=1000)
    return len(changed)


@transaction.atomic
def update_member_self(member: Member, data: dict, *, actor) -> tuple[Member, list[MemberChangeRequest]]:
    """A member edits their own record: self-editable fields (phone, address) change at
    once; reviewed fields (education, degree) become requests for the branch to check."""
    if user_scope(actor, "change_self").member_id != member.pk:
        raise ScopeError("只能修改本人的信息")
    direct = {k: v for k, v in data.items() if k in SELF_EDITABLE_FIELDS}
    reviewed = {k: v for k, v in data.items() if k in SELF_REVIEWED_FIELDS and v != getattr(member, k)}
    refused = set(data) - set(SELF_EDITABLE_FIELDS) - set(SELF_REVIEWED_FIELDS) - {"reason"}
    if refused:
        raise ValidationError(
            {sorted(refused)[0]: [f"{LABELS.get(sorted(refused)[0], sorted(refused)[0])}不能由本人修改，请向所在党支部提出"]}
        )
    if reviewed:
        validate_member_data({**reviewed, "organisation": member.organisation}, instance=member)
        if member.change_requests.filter(status=MemberChangeRequest.Status.PENDING, field__in=reviewed).exists():
            raise ValidationError({next(iter(reviewed)): ["已有待审核的修改申请，请等待支部审核"]})
    if direct:
        member = _update_member(member, direct, authorise=None)  # own record: checked above (change_self)
    requests = []
    for field, value in reviewed.items():
        req = MemberChangeRequest.objects.create(
            member=member,
            field=field,
            old_value=getattr(member, field) or "",
            new_value=value or "",
            reason=(data.get("reason") or "")[:200],
        )
        record_change(req, ChangeLog.Action.CREATE)
        requests.append(req)
    return member, requests


@transaction.atomic
def decide_change_request(request: MemberChangeRequest, *, approve: bool, actor, note: str = "") -> MemberChangeRequest:
    """The branch approves (the record changes) or rejects a member's change request."""
    req = MemberChangeRequest.objects.select_for_update().select_related("member__organisation").get(pk=request.pk)
    require_org_action(actor, req.member.organisation, "change")
    if req.status != MemberChangeRequest.Status.PENDING:
        raise ValidationError({"status": [f"该申请已{req.get_status_display()}，不能重复审核"]})
    if not approve and not note.strip():
        raise ValidationError({"decision_note": ["不通过时须填写审核意见，告知党员原因"]})
    before = snapshot(req)
    if approve:
        update_member(req.member, {req.field: req.new_value}, actor=actor)
    req.status = MemberChangeRequest.Status.APPROVED if approve else MemberChangeRequest.Status.REJECTED
    req.decided_at = timezone.now()
    req.decided_by = getattr(actor, "username", "")
    req.decision_note = note.strip()[:200]
    req.save()
    record_change(req, ChangeLog.Action.UPDATE, before=before)
    return req


@transaction.atomic
def record_discipline(member: Member, data: dict, *, actor, today=None) -> MemberDiscipline:
    """Record a 党纪处分 decided by the competent organisation. Recording it is a higher
    committee's business (the "approve" action); 留党察看 runs one or two years."""
    today = today or timezone.localdate()
    require_org_action(actor, member.organisation, "approve")
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in dict(codes.DISCIPLINE_CHOICES):
        errors["kind"] = ["请选择处分种类"]
    decided_on = data.get("decided_on")
    if not isinstance(decided_on, datetime.date):
        errors["decided_on"] = ["处分决定日期为必填项"]
    elif decided_on > today:
        errors["decided_on"] = ["处分决定日期不能晚于今天"]
    elif decided_on < member.join_date:
        errors["decided_on"] = [f"处分决定日期不能早于入党日期 {member.join_date:%Y-%m-%d}"]
    ends_on = None
    if kind == codes.DISCIPLINE_PROBATION and "decided_on" not in errors:
        years = data.get("probation_years")
        if years not in codes.DISCIPLINE_PROBATION_YEARS:
            errors["probation_years"] = ["留党察看期限为一年或二年（纪律处分条例）"]
        else:
            ends_on = add_years(decided_on, years)
    for field, label in (("decided_by", "作出决定的组织"), ("reason", "处分事由")):
        if not (data.get(field) or "").strip():
            errors[field] = [f"{label}为必填项"]
    if errors:
        raise ValidationError(errors)
    record = MemberDiscipline.objects.create(
        member=member,
        kind=kind,
        decided_on=decided_on,
        ends_on=ends_on,
        decided_by=data["decided_by"].strip()[:120],
        reason=data["reason"].strip()[:200],
    )
    record_change(record, ChangeLog.Action.CREATE)
    if kind == codes.DISCIPLINE_EXPULSION:
        # the sanction is the procedure that owns 出党·开除 (PROCEDURE_STATUSES)
        change_status(
            member, "expelled", date=decided_on, reason=f"开除党籍（{record.decided_by}：{record.reason}）", actor=actor, engine="members"
        )
    return record


def under_probation_sanction(member_ids, on: datetime.date) -> set[int]:
    """Ids among member_ids under 留党察看 on the given date (one query)."""
    return set(
        MemberDiscipline.objects.filter(
            member_id__in=list(member_ids), kind=codes.DISCIPLINE_PROBATION, decided_on__lte=on, ends_on__gt=on
        ).values_list("member_id", flat=True)
    )
