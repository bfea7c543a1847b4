"""The registry of list exports: every list screen that offers “导出Excel”.

An entry names the screen's own selector — `rows(user, params)`, the very function the
page's view calls with its query string (request.GET) — so the export holds exactly the
rows of the screen, all pages of them, in the screen's order and scope (every selector
goes through apps.accounts.scoping; an ?org= outside the user's scope is a 404 where the
page's is, and finds nothing more than the page otherwise). `prepare(chunk)` adds what
the page adds after its query (the responsible person, readable diffs…), with a fixed
number of queries per chunk. Columns (apps.excel.generic) show personal data masked only.

The one export view (/excel/export/<name>/?<the page's query string>, URL name
"excel:export_<name>") writes small lists at once and larger ones
(> services.SYNC_EXPORT_MAX_ROWS) as background ExportJobs; both write the access log.
Put the button on the page with {% load list_exports %}{% export_button "<name>" %}.

Adding a list: give its page a selector taking (user, params), call it from the view,
and register it here."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.http import Http404


@dataclass(frozen=True)
class ListExport:
    name: str
    title: str  # the page's title: sheet name, file name, access-log target
    rows: Callable[..., Iterable]  # (user, params: QueryDict) → queryset or list: the screen's selector
    columns: Sequence[tuple]  # (header, attribute path | callable[, width])
    prepare: Callable[[list], list] | None = None  # completes a chunk of rows as the page does
    page: str = ""  # URL name of the screen (for the docs and the tests)


REGISTRY: dict[str, ListExport] = {}


def register(entry: ListExport) -> ListExport:
    if entry.name in REGISTRY:
        raise ValueError(f"list export {entry.name!r} registered twice")
    REGISTRY[entry.name] = entry
    return entry


def get(name: str) -> ListExport:
    _load()
    try:
        return REGISTRY[name]
    except KeyError:
        raise Http404("没有这个列表的导出") from None


def all_entries() -> list[ListExport]:
    _load()
    return list(REGISTRY.values())


_loaded = False


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        _register_all()


# ---------------------------------------------------------------------------- helpers


def _date(value, fmt="%Y-%m-%d"):
    return value.strftime(fmt) if value else ""


def _month(value):
    return _date(value, "%Y-%m")


def _display(field):
    return lambda obj: getattr(obj, f"get_{field}_display")()


# ---------------------------------------------------------------------------- entries


def _register_all() -> None:
    from apps.accounts import selectors as accounts
    from apps.core import todo
    from apps.core.history import attach_readable, object_type_label
    from apps.dues import selectors as dues
    from apps.members import selectors as members
    from apps.orgs import selectors as orgs
    from apps.recruitment import selectors as recruitment

    # -- 发展党员 -----------------------------------------------------------------------

    def with_responsibility(files):
        resp = recruitment.responsibility(files)
        for f in files:
            f.resp = resp[f.pk]
        return files

    def next_step(f):
        rule = f.resp["rule"]
        if rule:
            return f"{rule.number}. {rule.name}"
        return "半年考察测评" if f.next_step == "assessment" else ""

    register(
        ListExport(
            "recruitment_files",
            "发展档案",
            recruitment.file_list,
            [
                ("姓名", "name", 12),
                ("性别", _display("sex"), 6),
                ("身份证号", "id_number_masked", 20),
                ("负责组织", "organisation.display_name", 30),
                ("阶段", _display("stage"), 12),
                ("状态", _display("status"), 8),
                ("下一步", next_step, 24),
                ("期限", lambda f: _date(f.next_deadline), 12),
                ("责任组织", lambda f: f.resp["org"].display_name, 30),
                ("责任人", lambda f: f.resp["person"], 14),
            ],
            prepare=with_responsibility,
            page="recruitment:file_list",
        )
    )
    register(
        ListExport(
            "recruitment_activists",
            "入党积极分子名册",
            recruitment.activist_list,
            [
                ("姓名", "name", 12),
                ("性别", _display("sex"), 6),
                ("来源", _display("source"), 16),
                ("组织", "organisation.display_name", 30),
                ("确定积极分子", lambda f: _date(f.activist_date), 14),
                ("下次考察/期限", lambda f: _date(f.next_deadline), 14),
            ],
            page="recruitment:activists",
        )
    )
    register(
        ListExport(
            "recruitment_training",
            "入党积极分子培训班",
            recruitment.training_class_list,
            [
                ("班次", "name", 30),
                ("举办组织", "organisation.display_name", 30),
                ("开始日期", lambda c: _date(c.start_date), 12),
                ("结束日期", lambda c: _date(c.end_date), 12),
                ("天数", "days", 8),
                ("学时", "hours", 8),
                ("参训人数", "n", 10),
            ],
            page="recruitment:training",
        )
    )

    def plan_columns():
        cols = [
            ("组织", lambda p: p["plan"].organisation.name, 30),
            ("类型", lambda p: p["plan"].get_kind_display(), 12),
            ("起始年度", lambda p: p["plan"].start_year, 10),
            ("终止年度", lambda p: p["plan"].end_year, 10),
        ]
        for i, (_key, label) in enumerate(recruitment.TARGET_LABELS):
            cols += [
                (f"{label}（计划）", lambda p, i=i: p["items"][i]["target"], 12),
                (f"{label}（完成）", lambda p, i=i: p["items"][i]["actual"], 12),
            ]
        cols.append(("总数完成率（%）", lambda p: p["items"][0]["pct"], 14))
        return cols

    register(
        ListExport(
            "recruitment_plans",
            "发展党员规划与计划",
            recruitment.plan_list,
            plan_columns(),
            prepare=recruitment.plan_progress,
            page="recruitment:plans",
        )
    )

    # -- 党费 ---------------------------------------------------------------------------

    register(
        ListExport(
            "dues_arrears",
            "欠缴党费提醒",
            dues.arrears_page,
            [
                ("党员", "member.name", 12),
                ("党组织", "member.organisation.name", 30),
                ("连续欠缴（月）", "months", 14),
                ("起始月份", lambda r: _month(r["first_unpaid"]), 12),
                ("截至月份", lambda r: _month(r["last_unpaid"]), 12),
                ("提醒", "level_text", 16),
                ("处置", lambda r: r["case"].get_status_display() if r["case"] else "", 10),
            ],
            prepare=dues.arrears_details,
            page="dues:arrears",
        )
    )
    register(
        ListExport(
            "dues_arrears_cases",
            "欠缴党费处置记录",
            dues.arrears_cases,
            [
                ("党员", "member.name", 12),
                ("党组织", "organisation.name", 30),
                ("立案日期", lambda c: _date(c.opened_on), 12),
                ("连续欠缴（月）", "months_unpaid", 14),
                ("状态", _display("status"), 10),
                ("决定", _display("decision"), 16),
            ],
            page="dues:arrears",
        )
    )
    register(
        ListExport(
            "dues_reductions",
            "党费减免",
            dues.reduction_list,
            [
                ("党员", "member.name", 12),
                ("党组织", "organisation.name", 30),
                ("类型", _display("kind"), 8),
                ("每月金额（元）", lambda r: r.monthly_amount if r.kind == "reduce" else "", 14),
                ("起始月份", lambda r: _month(r.start_month), 12),
                ("截止月份", lambda r: _month(r.end_month), 12),
                ("理由", "reason", 30),
                ("状态", _display("status"), 10),
                ("审批意见", "decision_note", 24),
            ],
            page="dues:reductions",
        )
    )

    def coll(attr):
        return lambda c: getattr(c["collection"], attr) if c["collection"] else ""

    register(
        ListExport(
            "dues_collections",
            "党费下级对账",
            dues.collection_rows,
            [
                ("组织", "org.name", 30),
                ("应收（元）", "due", 12),
                ("已交台账（元）", "paid", 14),
                ("交纳率（%）", "rate", 12),
                ("实收合计（元）", coll("total_in_hand"), 14),
                ("上交（元）", coll("handed_over"), 12),
                ("差额（元）", coll("difference"), 12),
                ("说明", coll("difference_note"), 24),
                ("状态", lambda c: c["collection"].get_status_display() if c["collection"] else "未上交", 10),
            ],
            page="dues:collections",
        )
    )
    register(
        ListExport(
            "dues_disclosure",
            "党费收缴公开",
            lambda user, params: dues.disclosure_page(user, params)["rows"],
            [
                ("党组织", "org.name", 30),
                ("党员（人）", "members", 10),
                ("已收党费（元）", "collected", 14),
                ("交纳率（%）", "rate", 12),
            ],
            page="dues:disclosure",
        )
    )

    # -- 党员、组织 ---------------------------------------------------------------------

    register(
        ListExport(
            "members_change_requests",
            "党员信息修改审核",
            members.change_request_list,
            [
                ("党员", "member.name", 12),
                ("所在组织", "member.organisation.display_name", 30),
                ("修改项", _display("field"), 10),
                ("原值", "old_display", 16),
                ("申请改为", "new_display", 16),
                ("说明", "reason", 30),
                ("申请时间", "requested_at", 18),
            ],
            page="members:change_requests",
        )
    )
    register(
        ListExport(
            "orgs_terms",
            "换届提醒",
            orgs.terms_list,
            [
                ("组织", "name", 30),
                ("类别", _display("org_type"), 10),
                ("上级组织", lambda o: o.parent_org.display_name if o.parent_org else "", 30),
                ("任期开始", lambda o: _date(o.term_start), 12),
                ("任期届满", lambda o: _date(o.term_end), 12),
                ("状态", lambda o: orgs.TERM_BADGE[o.state][1], 10),
            ],
            prepare=orgs.with_term_state,
            page="orgs:terms",
        )
    )

    # -- 待办 ---------------------------------------------------------------------------

    register(
        ListExport(
            "core_todo",
            "我的待办",
            lambda user, params: todo.items_for(user),
            [
                ("模块", "module", 10),
                ("事项", "title", 50),
                ("组织", "org", 36),
                ("期限", lambda i: _date(i.due), 12),
                ("已逾期", "overdue", 8),
            ],
            page="core:todo",
        )
    )

    # -- 用户与审计 ---------------------------------------------------------------------

    register(
        ListExport(
            "accounts_users",
            "用户与角色",
            accounts.user_list,
            [
                ("账号", "username", 16),
                ("姓名", "display_name", 12),
                ("当前角色", lambda u: "；".join(f"{a.get_role_display()} · {a.organisation.name}" for a in u.current_assignments), 40),
                ("状态", lambda u: "正常" if u.is_active else "已停用", 8),
                ("待改密码", "must_change_password", 10),
                ("最近登录", "last_login", 18),
            ],
            page="accounts:users",
        )
    )

    def change_text(e):
        parts = [e.message] if e.message else []
        for c in e.readable:
            if e.action == "create":
                parts.append(f"{c['label']}：{c['after']}")
            elif e.action == "delete":
                parts.append(f"{c['label']}：{c['before']}（已删除）")
            else:
                parts.append(f"{c['label']}：{c['before']} → {c['after']}")
        return "\n".join(parts)

    register(
        ListExport(
            "accounts_changelog",
            "变更历史",
            accounts.changelog_list,
            [
                ("时间", "at", 18),
                ("操作人", lambda e: e.username or "系统", 14),
                ("操作", _display("action"), 8),
                ("对象类型", lambda e: object_type_label(e.object_type), 14),
                ("对象", "object_repr", 24),
                ("内容", change_text, 60),
                ("IP", "ip", 14),
                ("来源", lambda e: e.source_label or e.source, 10),
                ("请求编号", "request_id", 20),
            ],
            prepare=attach_readable,
            page="accounts:changelog",
        )
    )
    register(
        ListExport(
            "accounts_accesslog",
            "敏感操作日志",
            accounts.accesslog_list,
            [
                ("时间", "at", 18),
                ("账号", "username", 14),
                ("类型", _display("kind"), 20),
                ("对象", "target", 40),
                ("IP", "ip", 14),
                ("请求编号", "request_id", 20),
            ],
            page="accounts:accesslog",
        )
    )
