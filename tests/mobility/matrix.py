"""What the mobility URLs take, for tests/test_access_matrix.py.

A transfer is seen by two subtrees: each side's factory transfers a member of the side's
branch to a NEW branch under the same committee, so the other side's users see nothing
of it (B's transfer stays inside C2, A's inside C1)."""

import datetime

from django.utils import timezone

from apps.core.actors import system_actor
from tests.access_matrix_bodies import Write
from tests.factories import make_member, make_org, make_user

SYSTEM = system_actor("cli")


def _name(side):
    from tests.test_access_matrix import _person_name

    return _person_name(side)


def _sibling(org):
    from apps.orgs.models import Organisation

    return make_org(Organisation.objects.get_parent(org), org_type="branch")


def _transfer(org, side):
    from apps.mobility import services

    member = make_member(org, name=_name(side))
    return services.request_transfer(member, {"to_organisation": _sibling(org), "reason": "工作调动"}, actor=SYSTEM)


def _mobile(org, side, member=None):
    from apps.mobility import services

    member = member or make_member(org, name=_name(side))
    data = {"reason": "外出务工", "destination": "广东省深圳市", "months": 3, "home_contact": "支部书记"}
    return services.register_mobile(member, data, actor=SYSTEM)


def _card(org, side):
    from apps.mobility import services

    member = make_member(org, name=_name(side))
    return services.issue_non_public_card(member, {"number": f"FG-{side}-{member.pk}", "issued_by": "某县非公企业党委"}, actor=SYSTEM)


def _host_registration(org, side):
    """B hosts a mobile member of a new branch of its own committee (A sees neither)."""
    from apps.mobility import services

    record = _mobile(_sibling(org), side)
    return services.register_host(record.certificate_no, record.member.name, org, actor=SYSTEM)


def _host_report(org, side):
    from apps.mobility import services

    return services.record_host_report(_host_registration(org, side), {"content": "按时参加组织生活"}, actor=SYSTEM)


def _temporary_branch(org, side):
    from apps.mobility import services

    members = [_mobile(org, side).member for _ in range(3)]
    data = {"name": f"{side}驻深圳临时党支部", "place": "广东省深圳市", "end_date": timezone.localdate() + datetime.timedelta(days=200)}
    return services.form_temporary_branch(org, data, members, actor=SYSTEM)


def _contact(org, side):
    from apps.mobility import services

    return services.add_contact(_mobile(org, side), {"kind": "report", "content": "年度报告"}, actor=SYSTEM)


PK_BY_URL_NAME = {
    "mobility:host_registration": "mobility.hostregistration",
    "mobility:temporary_branch": "mobility.temporarybranch",
    "mobility-card-detail": "mobility.nonpubliccard",
    "mobility-card-withdraw": "mobility.nonpubliccard",
    "mobility-host-detail": "mobility.hostregistration",
    "mobility-host-reports": "mobility.hostregistration",
    "mobility-hostreport-detail": "mobility.hostreport",
    "mobility-temporary-detail": "mobility.temporarybranch",
    "mobility-temporary-members": "mobility.temporarybranch",
    "mobility-temporary-close": "mobility.temporarybranch",
    "mobility-contact-detail": "mobility.mobilecontact",
    "mobility:transfer": "mobility.transfer",
    "mobility:transfer_act": "mobility.transfer",
    "mobility:transfer_letter": "mobility.transfer",
    "mobility:mobile_record": "mobility.mobilerecord",
    "mobility:mobile_act": "mobility.mobilerecord",
    "mobility-transfer-detail": "mobility.transfer",
    "mobility-transfer-act": "mobility.transfer",
    "mobility-mobile-detail": "mobility.mobilerecord",
    "mobility-mobile-contacts": "mobility.mobilerecord",
    "mobility-mobile-record-return": "mobility.mobilerecord",
}
FACTORIES = {
    "mobility.transfer": _transfer,
    "mobility.mobilerecord": _mobile,
    "mobility.nonpubliccard": _card,
    "mobility.hostregistration": _host_registration,
    "mobility.hostreport": _host_report,
    "mobility.temporarybranch": _temporary_branch,
    "mobility.mobilecontact": _contact,
}


def _today():
    return timezone.localdate().isoformat()


def _member_of_b(w):
    return make_member(w.b)


def _member_user_of_b(w, objs):
    member = make_member(w.b)
    return make_user("member", w.b, member=member)


def _away_member(w):
    """A member of B away (one of a temporary branch's three)."""
    return _mobile(w.b, "B", make_member(w.b)).member


def _record_elsewhere(w):
    """A mobile member of another branch of C2 (B registers them as the host)."""
    return _mobile(make_org(w.c2, org_type="branch"), "B")


WHY_RULES = "流动与转接规则全县统一，只有县委组织部管理员（设置权限）可以修改：由管理员证明，其他人 404"


def _rules_body(w, o):
    from apps.mobility.services import rule_values

    return {**rule_values(), "letter_days_within": 31, "note": "矩阵测试"}


FORM = (200,)
WHY_FORM = "表单的党员/组织选择只列出本人范围内的对象，B 的党员或组织不是有效选项：表单带错误重新显示（200），不写入"

WRITE_BODIES = {
    # ── web ──
    "mobility:transfer_new": Write(
        lambda w, o: {
            "member": o["m"].pk,
            "kind": "internal",
            "to_organisation": make_org(w.c2, org_type="branch").code,
            "reason": "工作调动",
        },
        url_side="A",
        fresh={"m": _member_of_b},
        refused=FORM,
        why=WHY_FORM,
    ),
    "mobility:arrival": Write(
        lambda w, o: {
            **_arrival_member(w),
            "outside_org_name": "中共外省某村党支部",
            "letter_serial": "W001",
            "reason": "迁入",
        },
        url_side="A",
        refused=FORM,
        why=WHY_FORM,
    ),
    "mobility:my": Write(
        lambda w, o: {"kind": "internal", "to_organisation": make_org(w.c2, org_type="branch").code, "reason": "随迁"},
        actor=_member_user_of_b,
        url_side="A",
        refused=(404,),
        why="本人申请：对象固定为登录者本人的党员档案；没有党员档案的账号得到 404",
    ),
    "mobility:transfer_act": Write(lambda w, o: {"op": "approve", "note": "同意", "date": _today()}),
    "mobility:mobile_new": Write(
        lambda w, o: {"member": o["m"].pk, "reason": "外出务工", "destination": "浙江省宁波市", "months": "3", "home_contact": "支部书记"},
        url_side="A",
        fresh={"m": _member_of_b},
        refused=FORM,
        why=WHY_FORM,
    ),
    "mobility:mobile_act": Write(lambda w, o: {"op": "contact", "kind": "report", "date": _today(), "content": "汇报外出期间情况"}),
    "mobility:host": Write(
        lambda w, o: {"certificate_no": o["r"].certificate_no, "member_name": o["r"].member.name, "host": w.b.pk, "date": _today()},
        url_side="A",
        fresh={"r": _record_elsewhere},
        refused=FORM,
        why=WHY_FORM,
    ),
    "mobility:temporary": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "name": "驻深圳流动党员临时党支部",
            "place": "广东省深圳市",
            "end_date": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            "records": [o["m1"].pk, o["m2"].pk, o["m3"].pk],
        },
        url_side="A",
        fresh={"m1": _away_member, "m2": _away_member, "m3": _away_member},
        refused=FORM,
        why=WHY_FORM,
    ),
    "mobility:registers": Write(
        lambda w, o: {"member": o["m"].pk, "number": "FG-MATRIX-1", "issued_on": _today(), "issued_by": "某县非公企业党委"},
        url_side="A",
        fresh={"m": _member_of_b},
        refused=FORM,
        why=WHY_FORM,
    ),
    # ── API ──
    "POST mobility-transfer-list": Write(
        lambda w, o: {"member": o["m"].pk, "to_organisation": make_org(w.c2, org_type="branch").pk, "reason": "工作调动"},
        url_side="A",
        fresh={"m": _member_of_b},
        refused=(404,),
        why="党员按本人可见范围查找：B 的党员 404",
    ),
    "POST mobility-transfer-act": Write(lambda w, o: {"op": "approve", "note": "同意"}),
    "POST mobility-mobile-list": Write(
        lambda w, o: {"member": o["m"].pk, "reason": "外出务工", "destination": "上海市", "months": 3, "home_contact": "支部书记"},
        url_side="A",
        fresh={"m": _member_of_b},
        refused=(404,),
        why="党员按本人可见范围查找：B 的党员 404",
    ),
    "POST mobility-mobile-contacts": Write(lambda w, o: {"kind": "report", "content": "年度报告"}),
    # ── issue 17: the registers' API, host reports, temporary branch expiry, rule table ──
    "mobility:host_registration": Write(lambda w, o: {"content": "按时参加组织生活", "date": _today()}),
    "mobility:temporary_branch": [
        Write(lambda w, o: {"op": "close", "note": "任务结束"}, label="撤销"),
        Write(lambda w, o: {"op": "members", "records": [o["m"].pk]}, fresh={"m": _away_member}, label="编入"),
    ],
    "mobility:rules": Write(_rules_body, actor="admin", url_side="A", why=WHY_RULES),
    "POST mobility-card-list": Write(
        lambda w, o: {"member": o["m"].pk, "number": f"FG-API-{o['m'].pk}", "issued_by": "某县非公企业党委"},
        url_side="A",
        fresh={"m": _member_of_b},
        refused=(404,),
        why="党员按本人可维护范围查找：B 的党员 404",
    ),
    "POST mobility-card-withdraw": Write(lambda w, o: {"withdrawn_on": _today()}),
    "POST mobility-host-list": Write(
        lambda w, o: {"certificate_no": o["r"].certificate_no, "member_name": o["r"].member.name, "host": w.b.pk},
        url_side="A",
        fresh={"r": _record_elsewhere},
        refused=(404,),
        why="流入地党组织按本人可维护范围查找：B 404",
    ),
    "POST mobility-host-reports": Write(lambda w, o: {"content": "按时参加组织生活，表现良好"}),
    "POST mobility-temporary-list": Write(
        lambda w, o: {
            "organisation": w.b.pk,
            "name": "驻宁波流动党员临时党支部",
            "place": "浙江省宁波市",
            "end_date": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            "members": [o["m1"].pk, o["m2"].pk, o["m3"].pk],
        },
        url_side="A",
        fresh={"m1": _away_member, "m2": _away_member, "m3": _away_member},
        refused=(404,),
        why="组建党组织按本人可维护范围查找：B 404",
    ),
    "POST mobility-temporary-members": Write(lambda w, o: {"members": [o["m"].pk]}, fresh={"m": _away_member}),
    "POST mobility-temporary-close": Write(lambda w, o: {"note": "任务结束"}),
    "POST mobility-rules-list": Write(
        lambda w, o: {"letter_days_within": 31, "note": "矩阵测试"}, actor="admin", url_side="A", why=WHY_RULES
    ),
    "POST mobility-mobile-record-return": Write(lambda w, o: {"certificate_returned": True}),
}


def _arrival_member(w):
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
        "organisation": w.b.pk,
        "phone": data["phone"],
        "date": _today(),
    }
