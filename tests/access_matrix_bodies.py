"""Valid request bodies for every write endpoint walked by tests/test_access_matrix.py.

An empty POST proves nothing when a form refuses it before the scope check. So every
write endpoint (web POST views, API POST/PUT/PATCH/DELETE routes) is registered here
with a body that really works: the matrix first sends it as an in-scope user (the
positive control, rolled back) and then, unchanged, as users of another branch.

Keys: the URL name for web pages ("members:edit"); "METHOD name" for API routes
("PATCH member-detail"). A value is a Write or a list of them (one per form/variant).
A builder receives the fixture world `w` and `objs`, the objects the URL points at
(by kwarg name), and returns the body. Endpoints where no branch object or id is
involved are listed in NO_BODY with the reason. An endpoint in neither FAILS the matrix.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from apps.core.actors import system_actor
from tests.factories import make_member, make_org


@dataclass(frozen=True)
class Write:
    body: Callable  # (w, objs) -> dict
    # Who proves the body valid: a world user ("secretary_b", "admin"), a callable
    # (w, objs) -> User (the owner of an import job), or None: B's secretary for B's
    # objects, the county administrator when url_side="A".
    actor: str | Callable | None = None
    # "B": the URL points at objects of branch B. "A": the URL points at objects the
    # refused users may change (branch A), and the BODY names B (an organisation or
    # member id of B): refusing it proves the id is scoped too.
    url_side: str = "B"
    # kwarg -> (w) -> a fresh object of B, when the shared one cannot take the write
    # (an organisation with members cannot be dissolved, a finished job not cancelled).
    # A key that is not a URL kwarg adds an object the body refers to (also watched).
    fresh: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # value kwargs, e.g. the step code
    multipart: bool = False  # API routes that take uploads
    # Answers accepted from the refused users. A URL pointing at B is always a 404; an
    # id of B in the body may be refused by the form (its choices list only the user's
    # scope) or by the serializer: then `refused` says which answer and `why`.
    refused: tuple = (404,)
    why: str = ""
    label: str = ""  # names the variant when an endpoint has several


def today():
    return timezone.localdate()


def this_month():
    return f"{today():%Y-%m}"


def _obj(w, label, side="B"):
    return w.obj(label, side)


# ── fresh objects ─────────────────────────────────────────────────────────────────────
def _activist_class(w, side):
    """An education class of the kind 入党积极分子培训班 held by the side's branch (or the
    county): the classes recruitment enrols development files in (issue 15: one class
    mechanism)."""
    from apps.recruitment import services

    org = w.county if side == "county" else w.org(side)
    data = {
        "organisation": org,
        "name": f"{org.name}积极分子培训班",
        "start_date": today(),
        "end_date": today() + datetime.timedelta(days=2),
        "days": 3,
        "hours": 24,
    }
    return services.create_training_class(data, actor=system_actor("cli"))


def _empty_group(w):
    """An empty party group under B: the only thing of B that can be dissolved."""
    return make_org(w.b, org_type="party_group")


def _member_of_b(w):
    return make_member(w.b)


def _queued_import(w):
    """A previewed job whose import was requested and waits for the worker."""
    from apps.excel.models import ImportJob, JobStatus

    job = _previewed_import(w)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, dry_run=False)
    job.refresh_from_db()
    return job


def _previewed_import(w):
    from tests.test_access_matrix import _import_job

    return _import_job(w.b, "B")


def _queued_export(w):
    from apps.excel.models import ExportJob, JobStatus
    from tests.factories import make_user

    owner = make_user("branch_secretary", w.b)
    return ExportJob.objects.create(user=owner, org_path=w.b.path, status=JobStatus.QUEUED)


def _token_holder(w):
    """A user of B holding an API token (so revoking it changes something)."""
    from tests.factories import api_token

    user = _obj(w, "accounts.user")
    api_token(user)
    return user


def _locked_user(w):
    """A user of B whose login is locked from one address (so an unlock changes something)."""
    from axes.models import AccessAttempt

    user = make_user_of_b(w)
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.9.9.9",
        user_agent="matrix",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=5,
    )
    return user


def make_user_of_b(w):
    from tests.factories import make_user

    return make_user("branch_organiser", w.b)


def _token_owner(w, objs):
    return objs["token_pk"].user


def _job_owner(w, objs):
    return objs["pk"].user


# ── shared bodies ─────────────────────────────────────────────────────────────────────
def _org_fields(w, objs):
    org = objs.get("pk") or w.b
    return {"name": org.name, "code": org.code, "org_type": org.org_type, "unit_type": org.unit_type, "contact_person": "矩阵联系人"}


def _new_group(w, objs):
    return {"name": "矩阵新建党小组", "code": "MXW0001", "org_type": "party_group", "unit_type": "other"}


def _member_create(w, org_value):
    from tests.factories import member_data

    data = member_data(w.b)
    return {
        "name": data["name"],
        "id_number": data["id_number"],
        "sex": data["sex"],
        "birth_date": data["birth_date"].isoformat(),
        "education": data["education"],
        "occupation": data["occupation"],
        "join_date": data["join_date"].isoformat(),
        "conversion_date": data["conversion_date"].isoformat(),
        "member_type": data["member_type"],
        "organisation": org_value,
        "phone": data["phone"],
    }


def _member_status(w, objs):
    return {"status": "lost_contact", "date": today().isoformat(), "lost_contact_reason": "migrant_work", "reason": "外出务工失去联系"}


def _member_move(w, objs, to_org):
    return {"organisation": to_org.pk, "date": today().isoformat(), "reason": "工作调动"}


def _step_body(w, objs):
    # B's development file stands just before step 3 (activist_filed), which the higher
    # committee takes (tests/recruitment/helpers.py PLAN).
    return {"date": "2023-03-10"}


def _target_file(w):
    """A development target of B due for the general meeting's vote (step 15)."""
    from tests.recruitment.helpers import before_step, new_file

    return before_step(new_file(w.b), "general_meeting", prepare=False)


def _vote(w, objs):
    return {
        "proposal": "admit",
        "meeting_date": "2024-05-10",
        "should_attend": 10,
        "present": 8,
        "written_opinions": 0,
        "yes": 7,
        "no": 1,
        "abstain": 0,
        "passed": True,
    }


def _member_edit(w, objs):
    m = objs["pk"]
    return {
        "name": m.name,
        "sex": m.sex,
        "birth_date": m.birth_date.isoformat(),
        "education": m.education,
        "occupation": m.occupation,
        "join_date": m.join_date.isoformat(),
        "conversion_date": m.conversion_date.isoformat() if m.conversion_date else "",
        "member_type": m.member_type,
        "address": "矩阵测试地址",
    }


def _lagging_plan(w):
    """This year's plan for B with nothing done: publishing the circular flags B."""
    from apps.recruitment import services

    data = {"organisation": w.b, "kind": "annual", "start_year": today().year, "total": 12}
    return services.save_plan(data, actor=system_actor("cli"))


def _assessment(w, objs):
    return {"date": "2023-09-01", "period": "2023上半年", "evaluator": "member", "score": "90", "comment": "表现良好"}


def _plan(w, org):
    counts = dict.fromkeys(("women", "youth", "high_school_plus", "college_plus", "farmers", "non_public"), 0)
    return {"organisation": org.pk, "kind": "annual", "start_year": today().year + 1, "total": 3, **counts}


def _payment(w, line):
    return {"from_month": f"{line.month:%Y-%m}", "amount": str(line.amount_due), "mode": "monthly", "payer_kind": "self", "method": "cash"}


SECRETARY_CANNOT = "党支部书记没有该权限（审批/用户管理属于上级），由县委组织部管理员证明请求体有效"
FORM_CHOICE = "表单的组织/党员下拉只列出本人范围内的对象，B 不是有效选项：表单带错误重新显示（200），不写入"

WRITE_BODIES: dict[str, Write | list[Write]] = {
    # ── accounts (web) ────────────────────────────────────────────────────────────────
    "accounts:user_create": Write(
        lambda w, o: {
            "username": "matrix_new_user",
            "display_name": "矩阵新用户",
            "password": "Matrix#Pass2026x",
            "role": "branch_organiser",
            "org_code": w.b.code,
        },
        actor="admin",
        url_side="A",
        refused=(200, 403),
        why="组织代码只在本人用户管理范围内查找（B 的代码报“不存在”，200）；没有用户管理权限的书记得到 403",
    ),
    "accounts:user_grant": [
        Write(lambda w, o: {"role": "branch_organiser", "org_code": w.b.code}, actor="admin", why=SECRETARY_CANNOT),
        Write(
            lambda w, o: {"role": "branch_organiser", "org_code": w.b.code},
            actor="admin",
            url_side="A",
            refused=(302, 404),
            why="给本范围内的用户授予 B 的角色：组织代码按本人范围查找，B 报“不存在”（重定向回用户页并提示）；无权者 404",
            label="A 的用户 + B 的组织代码",
        ),
    ],
    "accounts:user_deactivate": Write(lambda w, o: {"reason": "调离"}, actor="admin", why=SECRETARY_CANNOT),
    "accounts:user_reset_password": Write(lambda w, o: {"new_password": "Matrix#Reset2026x"}, actor="admin", why=SECRETARY_CANNOT),
    "accounts:user_revoke_token": Write(lambda w, o: {}, actor="admin", fresh={"user_pk": _token_holder}, why=SECRETARY_CANNOT),
    "accounts:role_revoke": Write(lambda w, o: {"reason": "换届"}, actor="admin", why=SECRETARY_CANNOT),
    "accounts:user_unlock": Write(lambda w, o: {}, actor="admin", fresh={"user_pk": _locked_user}, why=SECRETARY_CANNOT),
    "accounts:token_revoke": Write(lambda w, o: {}, actor=_token_owner, why="接口令牌只属于本人：其他任何人（含管理员）得到 404"),
    # ── orgs (web) ────────────────────────────────────────────────────────────────────
    "orgs:create": Write(_new_group),
    "orgs:edit": Write(_org_fields),
    "orgs:move": [
        Write(lambda w, o: {"parent": w.c1.pk}, actor="admin", why="移动支部是上级（党委）的事：由管理员证明"),
        Write(
            lambda w, o: {"parent": w.c2.pk},
            actor="admin",
            url_side="A",
            refused=(200, 404),
            why="把 A 移到 B 所在党委下：" + FORM_CHOICE,
            label="A → B 的党委",
        ),
    ],
    "orgs:dissolve": Write(lambda w, o: {"date": today().isoformat()}, fresh={"pk": _empty_group}),
    # a role several may hold: the shared world already seats B's secretary (its
    # orgs.committeemember), and a second secretary is refused until the first leaves
    "orgs:seat_add": Write(
        lambda w, o: {"member": _obj(w, "members.member").pk, "role": _shared_committee_role(), "start_date": today().isoformat()}
    ),
    "orgs:seat_end": Write(lambda w, o: {"end_date": today().isoformat()}),
    # ── members (web) ─────────────────────────────────────────────────────────────────
    "members:create": Write(lambda w, o: _member_create(w, w.b.pk), url_side="A", refused=(200,), why=FORM_CHOICE),
    "members:edit": Write(_member_edit),
    "members:status": Write(_member_status),
    "members:move": [
        Write(lambda w, o: _member_move(w, o, make_org(w.c2, org_type="branch")), actor="admin", why="转入另一支部须有两边的维护权限"),
        Write(
            lambda w, o: _member_move(w, o, w.b),
            actor="admin",
            url_side="A",
            fresh={"pk": lambda w: make_member(w.a)},
            refused=(200, 404),
            why="把 A 的党员转入 B：" + FORM_CHOICE,
            label="A 的党员 → B",
        ),
    ],
    "members:discipline": Write(
        lambda w, o: {
            "kind": "warning",
            "decided_on": today().isoformat(),
            "decided_by": "中共测试县纪律检查委员会",
            "reason": "违反工作纪律",
        },
        actor="admin",
        why=SECRETARY_CANNOT,
    ),
    "members:reveal": Write(lambda w, o: {}, values={"field": "id_number"}),
    "members:decide_request": Write(lambda w, o: {"decision": "approve", "note": "核实"}),
    # ── recruitment (web) ─────────────────────────────────────────────────────────────
    "recruitment:file_new": Write(lambda w, o: _file_form(w, w.b.pk), url_side="A", refused=(200,), why=FORM_CHOICE),
    "recruitment:step_take": Write(
        _step_body,
        actor="admin",
        values={"code": "activist_filed"},
        why="B 的档案停在第3步（上级备案）前：只有这一步有有效请求体；其余步骤的范围检查相同（先按档案 404）",
    ),
    "recruitment:vote_new": Write(_vote, fresh={"pk": lambda w: _target_file(w)}),
    "recruitment:notice_new": Write(lambda w, o: {"start_date": today().isoformat(), "place": "村务公开栏"}),
    "recruitment:objection_new": Write(lambda w, o: {"received": o["notice_id"].start_date.isoformat(), "content": "群众反映情况"}),
    "recruitment:objection_resolve": Write(
        lambda w, o: {"resolved": o["objection_id"].received.isoformat(), "resolution": "经核查不属实", "substantiated": ""}
    ),
    "recruitment:assessment_new": Write(_assessment),
    "recruitment:transfer": [
        Write(
            lambda w, o: {"to_org": make_org(w.c2, org_type="branch").pk, "date": today().isoformat(), "reason": "工作调动"},
            actor="admin",
            why="转入另一支部须有两边的维护权限",
        ),
        Write(
            lambda w, o: {"to_org": w.b.pk, "date": today().isoformat(), "reason": "工作调动"},
            actor="admin",
            url_side="A",
            refused=(200, 404),
            why="把 A 的档案转入 B：" + FORM_CHOICE,
            label="A 的档案 → B",
        ),
    ],
    "recruitment:training": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "name": "矩阵培训班",
            "start_date": "2026-04-01",
            "end_date": "2026-04-03",
            "days": 3,
            "hours": 24,
        },
        url_side="A",
        refused=(200,),
        why=FORM_CHOICE,
    ),
    "recruitment:training_enrol": [
        Write(lambda w, o: {"files": [_obj(w, "recruitment.developmentfile").pk]}, fresh={"class_id": lambda w: _activist_class(w, "B")}),
        Write(
            lambda w, o: {"files": [_obj(w, "recruitment.developmentfile").pk]},
            fresh={"class_id": lambda w: _activist_class(w, "county")},
            url_side="A",
            refused=(302, 404),
            why="县委的培训班 + B 的档案（参训人员须在举办组织之下，故用县委的班）：看不到县委班次的用户 404；"
            "其余用户的档案按本人维护范围筛选，B 的被忽略（登记0人，重定向），不写入",
            label="县委的培训班 + B 的档案",
        ),
    ],
    "recruitment:plans": Write(lambda w, o: _plan(w, w.b), url_side="A", refused=(200,), why=FORM_CHOICE),
    "recruitment:publish_circular": Write(
        lambda w, o: {"org": w.c2.pk, "month": this_month()},
        url_side="A",
        fresh={"plan": _lagging_plan},
        why="通报由上级党委发布（审批权限）；B 有未完成的年度计划，发布即把它列为滞后单位",
    ),
    # ── dues (web) ────────────────────────────────────────────────────────────────────
    "dues:generate": Write(lambda w, o: {"org": w.b.pk, "month": "2024-06"}, url_side="A"),
    "dues:pay": Write(lambda w, o: _payment(w, o["pk"])),
    "dues:paid_elsewhere": Write(lambda w, o: {"note": "深圳市某流动党员党支部"}, fresh={"pk": lambda w: _mobile_line(w)}),
    "dues:member": [
        Write(
            lambda w, o: {"form": "declaration", "decl-category": "salaried", "decl-base": "5000.00", "decl-effective_month": this_month()},
            label="缴纳基数",
        ),
        Write(lambda w, o: {"form": "voluntary", "vol-amount": "100.00", "vol-note": "自愿多交"}, label="自愿多交"),
        Write(
            lambda w, o: {
                "form": "reduction",
                "red-kind": "exempt",
                "red-start_month": this_month(),
                "red-end_month": this_month(),
                "red-reason": "患重病，经支部讨论",
            },
            fresh={"pk": lambda w: _declared_member(w)},
            label="减免申请",
        ),
        Write(
            lambda w, o: {"form": "payment", **{f"pay-{k}": v for k, v in _payment(w, _line_of(o["pk"])).items()}},
            fresh={"pk": lambda w: _member_with_line(w)},
            label="缴费",
        ),
    ],
    "dues:arrears_case": Write(lambda w, o: {"decision": "good_reason", "meeting_date": today().isoformat(), "note": "支部大会决定"}),
    "dues:decide_reduction": Write(lambda w, o: {"approve": "1", "note": "同意"}, actor="admin", why=SECRETARY_CANNOT),
    "dues:collections": Write(lambda w, o: {"org": w.b.pk, "amount": "0.00", "difference_note": "矩阵测试：暂未上交"}, url_side="A"),
    "dues:confirm": Write(lambda w, o: {}, actor="admin", why="确认收到上交的是上级党委（C2），由管理员证明"),
    "dues:remittance": Write(
        lambda w, o: {"org": w.county.pk, "year": today().year - 1, "amount_remitted": "0.00", "note": "矩阵测试"},
        actor="admin",
        url_side="A",
        why="年度上缴只由最上级组织（县委）办理，没有以支部为对象的有效请求体：证明县委以下的用户都改不了县委的",
    ),
    # ── excel (web) ───────────────────────────────────────────────────────────────────
    "excel:import": Write(
        lambda w, o: {"file": _roster(w), "org_code": w.b.code, "preview": "on", "update_existing": "on"},
        url_side="A",
        refused=(200,),
        why="组织代码只在本人维护范围内查找：B 的代码报“不存在或不在您的维护范围内”，不建任务",
    ),
    "excel:import_commit": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _previewed_import}, why="任务只属于发起人"),
    "excel:import_cancel": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _queued_import}, why="任务只属于发起人"),
    "excel:export_cancel": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _queued_export}, why="任务只属于发起人"),
    # ── API ───────────────────────────────────────────────────────────────────────────
    "POST org-list": Write(lambda w, o: {"parent": w.b.pk, **_new_group(w, o)}, url_side="A"),
    "PUT org-detail": Write(_org_fields),
    "PATCH org-detail": Write(lambda w, o: {"contact_person": "矩阵联系人"}),
    "POST member-list": Write(lambda w, o: _member_create(w, w.b.pk), url_side="A"),
    "PUT member-detail": Write(lambda w, o: {"address": "矩阵测试地址"}),
    "PATCH member-detail": Write(lambda w, o: {"address": "矩阵测试地址"}),
    "POST member-status": Write(_member_status),
    "POST member-move": [
        Write(lambda w, o: _member_move(w, o, make_org(w.c2, org_type="branch")), actor="admin", why="转入另一支部须有两边的维护权限"),
        Write(
            lambda w, o: _member_move(w, o, w.b),
            actor="admin",
            url_side="A",
            fresh={"pk": lambda w: make_member(w.a)},
            label="A 的党员 → B",
        ),
    ],
    "POST member-reveal": Write(lambda w, o: {"field": "phone"}),
    "POST recruitment-file-list": Write(lambda w, o: _file_form(w, w.b.pk), url_side="A"),
    "POST recruitment-file-steps": Write(
        lambda w, o: {"code": "activist_filed", "date": "2023-03-10", "data": {}},
        actor="admin",
        why="B 的档案停在第3步（上级备案）前",
    ),
    "POST recruitment-vote-list": Write(
        lambda w, o: {"file": o["file"].pk, **_vote(w, o)},
        url_side="A",
        fresh={"file": lambda w: _target_file(w)},
        refused=(400,),
        why="档案字段只接受本人维护范围内的档案：B 的档案与不存在的档案一样答 400（不泄露存在）",
    ),
    "POST recruitment-notice-list": Write(
        lambda w, o: {"file": _obj(w, "recruitment.developmentfile").pk, "start_date": today().isoformat(), "place": "公示栏"},
        url_side="A",
        refused=(400,),
        why="档案字段只接受本人维护范围内的档案：B 的档案与不存在的档案一样答 400（不泄露存在）",
    ),
    "POST recruitment-plan-list": Write(lambda w, o: _plan(w, w.b), url_side="A"),
    "POST dues-generate": Write(lambda w, o: {"organisation": w.b.pk, "month": "2024-06"}, url_side="A"),
    "POST dues-payment-list": Write(
        lambda w, o: {"member": _line_of(o["x"]).member_id, **_api_payment(_line_of(o["x"]))},
        url_side="A",
        fresh={"x": lambda w: _member_with_line(w)},
    ),
    "POST dues-declaration-list": Write(
        lambda w, o: {"member": _obj(w, "members.member").pk, "category": "salaried", "base": "5000.00", "effective_month": this_month()},
        url_side="A",
    ),
    "POST dues-arrears-case-decide": Write(lambda w, o: {"decision": "good_reason", "meeting_date": today().isoformat()}),
    "POST dues-collection-hand-over": Write(
        lambda w, o: {"organisation": w.b.pk, "month": this_month(), "amount": "0.00", "difference_note": "矩阵测试"}, url_side="A"
    ),
    "POST dues-collection-confirm": Write(lambda w, o: {}, actor="admin", why="确认收到上交的是上级党委（C2），由管理员证明"),
    "POST import-job-list": Write(
        lambda w, o: {"file": _roster(w), "org_code": w.b.code, "dry_run": "true", "update_existing": "true"},
        url_side="A",
        multipart=True,
        refused=(400,),
        why="组织代码只在本人维护范围内查找：B 的代码答 400“不存在或不在您的维护范围内”，不建任务",
    ),
    "POST import-job-commit": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _previewed_import}, why="任务只属于发起人"),
    "POST import-job-cancel": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _queued_import}, why="任务只属于发起人"),
    "POST export-job-cancel": Write(lambda w, o: {}, actor=_job_owner, fresh={"pk": _queued_export}, why="任务只属于发起人"),
    "DELETE api-auth-token-detail": Write(lambda w, o: {}, actor=_token_owner, why="接口令牌只属于本人：其他任何人（含管理员）得到 404"),
}

# Write endpoints where no object or id of another branch is involved.
NO_BODY = {
    "accounts:login": "登录：本人凭据，不涉及任何组织或党员",
    "accounts:logout": "退出：本人会话",
    "accounts:password_change": "修改本人密码",
    "POST api-auth-token": "用本人账号和密码换取接口令牌",
    "DELETE api-auth-token": "撤销本人的接口令牌",
    "accounts:tokens_revoke_all": "撤销本人全部接口令牌：没有参数，只涉及本人",
    "accounts:care_mode": "本人的长辈模式开关：没有参数，只改本人账号（tests/accounts/test_care_mode.py）",
    "members:me": "党员修改本人信息：对象固定为本人档案（change_self），没有可指向他人的参数",
    "recruitment:settings": "全县规则与节假日日历：没有支部对象；只有 configure（县委组织部）可写，县领导检查覆盖",
    "POST export-job-members": "导出是读，只建本人的任务：筛选条件指向 B 时导出文件不含 B 的数据，"
    "由 test_export_job_filtered_on_b_exports_nothing_of_b 证明",
    # Web exports start with a POST (issue 12 item 7; GET only shows the button): a read of
    # the caller's own scope, proven by tests/excel/test_list_exports.py::
    # test_other_branch_rows_never_exported and tests/excel/test_views.py.
    "excel:export_members": "导出是读：按本人范围导出，只建本人的任务（tests/excel/test_views.py）",
    "excel:export_orgs": "导出是读：只导出本人可见的组织（tests/excel/test_views.py）",
    **{
        f"excel:export_{name}": "列表导出是读：行来自该列表页本身的选择器与范围，指向 B 时不含 B 的数据"
        "（tests/excel/test_list_exports.py::test_other_branch_rows_never_exported）"
        for name in (e.name for e in __import__("apps.excel.lists", fromlist=["all_entries"]).all_entries())
    },
}


def _committee_role():
    from apps.orgs.rules import COMMITTEE_ROLES

    return COMMITTEE_ROLES[0][0]


def _shared_committee_role():
    """The first committee role more than one person may hold at a time."""
    from apps.orgs.rules import COMMITTEE_ROLES, SINGLE_COMMITTEE_ROLES

    return next(code for code, _ in COMMITTEE_ROLES if code not in SINGLE_COMMITTEE_ROLES)


def _file_form(w, org_value):
    from tests.recruitment.helpers import applicant_data

    data = applicant_data(w.b)
    return {
        "name": "矩阵申请人",
        "id_number": data["id_number"],
        "education": data["education"],
        "occupation": data["occupation"],
        "ethnicity": "汉族",
        "source": "other",
        "organisation": org_value,
        "application_date": today().isoformat(),
    }


def _declared_member(w):
    from tests.test_access_matrix import _dues_member

    return _dues_member(w.b, "B")


def _member_with_line(w):
    from tests.test_access_matrix import _dues_line

    return _dues_line(w.b, "B").member


def _line_of(member):
    from apps.dues.models import DuesLine

    return DuesLine.objects.filter(member=member).order_by("-month").first()


def _api_payment(line):
    return {"months": [f"{line.month:%Y-%m}"], "amount": str(line.amount_due)}


def _mobile_line(w):
    from apps.members import services

    line = _line_of(_member_with_line(w))
    services.change_status(line.member, "mobile", date=today() - datetime.timedelta(days=1), reason="外出务工", actor=system_actor("cli"))
    return line


def _roster(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.excel.helpers import good_row, xlsx

    return SimpleUploadedFile(
        "名册.xlsx",
        xlsx([good_row(w.b, 姓名="矩阵导入")]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
