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


PK_BY_URL_NAME = {
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
FACTORIES = {"mobility.transfer": _transfer, "mobility.mobilerecord": _mobile}


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
