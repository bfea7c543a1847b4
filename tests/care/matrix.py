"""The care domain's part of the access matrix (tests/test_access_matrix.py)."""

import datetime
import itertools

from django.utils import timezone

from tests.access_matrix_bodies import Write
from tests.factories import make_member

B_MEMBER_NAME = "司马乙乙"  # the matrix's marker names (tests/test_access_matrix.py)
OTHER_A_MEMBER_NAME = "欧阳甲乙"
FORM_SCOPE = "表单的党员/组织选择只列本人范围内的：B 的编号被表单拒绝（重新显示表单并提示），没有写入"


def _today():
    return timezone.localdate()


def _cli():
    from apps.core.actors import system_actor

    return system_actor("cli")


def _person(org, side, **kw):
    return make_member(org, name=B_MEMBER_NAME if side == "B" else OTHER_A_MEMBER_NAME, **kw)


def _occasion(code):
    from apps.care.models import CareOccasion

    return CareOccasion.objects.get(code=code)


def _visit(org, side):
    from apps.care import services

    data = {
        "member": _person(org, side),
        "occasion": _occasion("illness"),
        "visited_on": _today(),
        "visitors": "支部书记",
        "content": "到医院看望",
        "follow_up": "出院后再访",
    }
    return services.record_visit(data, actor=_cli())


def _hardship(org, side):
    from apps.care import services

    data = {"member": _person(org, side), "cause": "illness", "level": "general", "description": "因病致困"}
    return services.register_hardship(data, actor=_cli())


def _pairing(org, side):
    from apps.care import services

    data = {"helper": make_member(org), "pledge_thought": "谈心", "pledge_work": "介绍务工", "pledge_poverty": "年底脱贫"}
    return services.start_pairing(_hardship(org, side), data, actor=_cli())


def _fund(org, side):
    from apps.care import services
    from apps.care.models import Fund

    fund = Fund.objects.filter(organisation=org).first()
    if fund is None:
        fund = services.open_fund(org, name="党员互助基金", opened_on=_today() - datetime.timedelta(days=30), actor=_cli())
        services.record_income(fund, kind="allocation", amount="1000.00", counterparty="县委组织部", actor=_cli())
    return fund


def _application(org, side, *, approved=False):
    from apps.care import services

    app = services.apply_for_aid(_fund(org, side), _person(org, side), amount="100.00", reason="住院费用", actor=_cli())
    if approved:
        app = services.decide_application(app, approve=True, meeting="支委会", actor=_cli())
    return app


def _greeting_item(org, side):
    from apps.care.models import ChecklistItem

    m = _person(org, side)
    return ChecklistItem.objects.create(
        organisation=org, occasion=_occasion("july_first_greeting"), year=_today().year, member=m, reasons="all"
    )


def _subsidy_payment(org, side):
    from apps.care.models import SubsidyPayment, SubsidyRate

    rate = SubsidyRate.objects.filter(year=_today().year).first() or SubsidyRate.objects.create(
        year=_today().year, category="pre_1949", amount="100"
    )
    m = _person(org, side)
    return SubsidyPayment.objects.create(
        organisation=org, member=m, rate=rate, year=_today().year, category=rate.category, amount=rate.amount, paid_on=_today()
    )


def _veteran(w):
    from apps.care.models import SubsidyRate

    SubsidyRate.objects.get_or_create(year=_today().year, category="pre_1949", defaults={"amount": "3600.00"})
    return make_member(
        w.b, birth_date=datetime.date(1928, 5, 1), join_date=datetime.date(1948, 3, 1), conversion_date=datetime.date(1949, 3, 1)
    )


FACTORIES = {
    "care.visit": _visit,
    "care.hardship": _hardship,
    "care.pairing": _pairing,
    "care.fund": _fund,
    "care.fundapplication": _application,
    "care.checklistitem": _greeting_item,
    "care.subsidypayment": _subsidy_payment,
}

PK_BY_URL_NAME = {
    "care:visit_follow_up": "care.visit",
    "care:hardship": "care.hardship",
    "care:hardship_close": "care.hardship",
    "care:pairing_new": "care.hardship",
    "care:pairing_update": "care.pairing",
    "care:pairing_close": "care.pairing",
    "care:fund": "care.fund",
    "care:fund_income": "care.fund",
    "care:application_decide": "care.fundapplication",
    "care:application_pay": "care.fundapplication",
}


def _b_member(w):
    return make_member(w.b)


WRITE_BODIES = {
    "care:visit_new": Write(
        lambda w, o: {
            "member": o["who"].pk,
            "occasion": _occasion("illness").pk,
            "visited_on": _today().isoformat(),
            "visitors": "支部书记",
            "content": "看望",
            "amount": "0",
        },
        url_side="A",
        fresh={"who": _b_member},
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "care:visit_follow_up": Write(lambda w, o: {"done_on": _today().isoformat()}),
    "care:checklist_generate": Write(
        lambda w, o: {"org": w.b.pk, "occasion": "july_first_greeting", "year": _today().year}, url_side="A", fresh={"who": _b_member}
    ),
    "care:checklist_done": Write(
        lambda w, o: {"items": [o["item"].pk], "done_on": _today().isoformat()},
        url_side="A",
        fresh={"item": lambda w: _greeting_item(w.b, "B")},
    ),
    "care:hardship_new": Write(
        lambda w, o: {
            "member": o["who"].pk,
            "cause": "illness",
            "level": "general",
            "description": "因病",
            "registered_on": _today().isoformat(),
        },
        url_side="A",
        fresh={"who": _b_member},
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "care:hardship_close": Write(lambda w, o: {"closed_on": _today().isoformat(), "closure_note": "已就业"}),
    "care:pairing_new": Write(
        lambda w, o: {
            "helper": o["helper"].pk,
            "started_on": _today().isoformat(),
            "pledge_thought": "谈心",
            "pledge_work": "务工",
            "pledge_poverty": "脱贫",
        },
        fresh={"helper": _b_member},
    ),
    "care:pairing_update": Write(lambda w, o: {"on": _today().isoformat(), "content": "走访了解情况"}),
    "care:pairing_close": Write(lambda w, o: {"closed_on": _today().isoformat(), "outcome": "已脱贫"}),
    "care:fund_new": Write(
        lambda w, o: {"organisation": w.b.pk, "name": "矩阵新基金", "opened_on": _today().isoformat()},
        url_side="A",
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "care:fund_income": Write(
        lambda w, o: {"kind": "contribution", "amount": "10.00", "on": _today().isoformat(), "counterparty": "党员捐助"}
    ),
    "care:application_new": Write(
        lambda w, o: {
            "fund": _fund(w.b, "B").pk,
            "member": o["who"].pk,
            "amount": "50.00",
            "reason": "困难",
            "applied_on": _today().isoformat(),
        },
        url_side="A",
        fresh={"who": _b_member},
        refused=(200,),
        why=FORM_SCOPE,
    ),
    "care:application_decide": Write(
        lambda w, o: {"approve": "1", "approved_amount": "", "meeting": "支委会", "decided_on": _today().isoformat()}
    ),
    "care:application_pay": Write(
        lambda w, o: {"paid_on": _today().isoformat()}, fresh={"pk": lambda w: _application(w.b, "B", approved=True)}
    ),
    "care:subsidy_pay": Write(
        lambda w, o: {"org": w.b.pk, "year": _today().year, "members": [o["veteran"].pk], "paid_on": _today().isoformat()},
        url_side="A",
        fresh={"veteran": _veteran},
    ),
    "care:subsidy_rate": Write(
        lambda w, o: {"year": _today().year, "category": "old_age", "amount": "1300.00", "min_age": 80},
        actor="admin",
        url_side="A",
        why="全县标准：没有支部对象；只有 configure（县委组织部）可写",
    ),
}


def _nomination(org, side, *, noticed=False):
    from apps.care import services

    past = _today() - datetime.timedelta(days=30)
    data = {
        "organisation": org,
        "kind": _kind("excellent_member"),
        "year": _today().year,
        "member": _person(org, side),
        "deeds": "带头致富，热心公益",
        "nominated_on": past,
    }
    n = services.nominate(data, actor=_cli())
    if noticed:
        n = services.start_notice(n, start=past, actor=_cli())
    return n


FACTORIES["care.nomination"] = _nomination
PK_BY_URL_NAME.update({f"care:{n}": "care.nomination" for n in ("nomination", "nomination_notice", "nomination_decide")})
WRITE_BODIES.update(
    {
        "care:nomination_new": Write(
            lambda w, o: {
                "organisation": w.b.pk,
                "kind": _kind("excellent_member").pk,
                "year": _today().year,
                "member": o["who"].pk,
                "deeds": "带头致富",
                "nominated_on": _today().isoformat(),
            },
            url_side="A",
            fresh={"who": _b_member},
            refused=(200,),
            why=FORM_SCOPE,
        ),
        "care:nomination_notice": Write(lambda w, o: {"notice_start": _today().isoformat()}),
        "care:nomination_decide": Write(
            lambda w, o: {"approve": "1", "decided_on": _today().isoformat(), "feedback": "公示期间未收到反映", "note": "同意"},
            actor="admin",
            fresh={"pk": lambda w: _nomination(w.b, "B", noticed=True)},
            why="审批表彰须有上级党委的审批权（approve），支部书记没有：由管理员证明",
        ),
    }
)


def _kind(code):
    from apps.care.models import CommendationKind
    from apps.care.rules import DEFAULT_COMMENDATION_KINDS

    # The migration's rows are gone after a transactional test flushed the database.
    row = next(r for r in DEFAULT_COMMENDATION_KINDS if r[0] == code)
    return CommendationKind.objects.get_or_create(
        code=code, defaults=dict(zip(("name", "nominee", "level", "order"), row[1:], strict=True))
    )[0]


# ── 联系群众 and the API ─────────────────────────────────────────────────────────────────
def _household(org, side):
    from apps.care import services

    data = {"member": _person(org, side), "head_name": f"王{side}户", "address": "东村3组", "since_on": _today()}
    return services.add_household(data, actor=_cli())


FACTORIES["care.household"] = _household
PK_BY_URL_NAME.update({"care:household": "care.household", "care:household_end": "care.household"})
WRITE_BODIES.update(
    {
        "care:household_new": Write(
            lambda w, o: {"member": o["who"].pk, "head_name": "李四", "address": "西村1组", "since_on": _today().isoformat()},
            url_side="A",
            fresh={"who": _b_member},
            refused=(200,),
            why=FORM_SCOPE,
        ),
        "care:household": Write(lambda w, o: {"on": _today().isoformat(), "way": "visit", "situation": "了解春耕情况"}),
        "care:household_end": Write(lambda w, o: {"ended_on": _today().isoformat(), "outcome": "搬迁"}),
        "POST care-visit-list": Write(
            lambda w, o: {
                "member": o["who"].pk,
                "occasion": "illness",
                "visited_on": _today().isoformat(),
                "visitors": "支部书记",
                "content": "看望",
            },
            url_side="A",
            fresh={"who": _b_member},
        ),
        "POST care-household-contacts": Write(lambda w, o: {"on": _today().isoformat(), "way": "phone", "situation": "电话问候"}),
    }
)


WRITE_BODIES.update(
    {
        "care:occasion_edit": [
            Write(
                lambda w, o: {"code": "retired_visit", "kind": "must_visit", "name": "退休党员走访", "order": 90, "active": "on"},
                actor="admin",
                url_side="A",
                why="全县设置：没有支部对象；只有 configure（县委组织部）可写",
                label="新增",
            ),
            Write(
                lambda w, o: {"row": _occasion("wavering").pk, "name": "思想波动必访", "order": 30, "active": "on"},
                actor="admin",
                url_side="A",
                why="全县设置：没有支部对象；只有 configure（县委组织部）可写",
                label="修改",
            ),
        ],
    }
)


# ── rule tables, household phone, household API writes ────────────────────────────────
_PHONED = itertools.count(1)


def _phoned_household(org, side):
    from apps.care import services

    n = next(_PHONED)  # a fresh household each time (the web and the API reveal each take one)
    data = {"member": _person(org, side), "head_name": f"赵{side}{n}", "address": "南村2组", "phone": "13800001234", "since_on": _today()}
    return services.add_household(data, actor=_cli())


PK_BY_URL_NAME["care:household_phone"] = "care.household"
_CONFIGURE = "全县设置：没有支部对象；只有 configure（县委组织部）可写"
WRITE_BODIES.update(
    {
        "care:commendation_kind_edit": [
            Write(
                lambda w, o: {
                    "code": "model_youth",
                    "nominee": "member",
                    "name": "优秀青年党员",
                    "level": "county",
                    "order": 60,
                    "active": "on",
                },
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="新增",
            ),
            Write(
                lambda w, o: {
                    "row": _kind("excellent_worker").pk,
                    "name": "优秀党务工作者",
                    "level": "committee",
                    "order": 30,
                    "active": "on",
                },
                actor="admin",
                url_side="A",
                why=_CONFIGURE,
                label="修改",
            ),
        ],
        "care:household_phone": Write(lambda w, o: {}, fresh={"pk": lambda w: _phoned_household(w.b, "B")}),
        "POST care-household-list": Write(
            lambda w, o: {"member": o["who"].pk, "head_name": "钱五", "address": "北村4组", "phone": "13900002222"},
            url_side="A",
            fresh={"who": _b_member},
        ),
        "POST care-household-end": Write(lambda w, o: {"outcome": "搬迁到县城"}),
        "POST care-household-phone": Write(lambda w, o: {}, fresh={"pk": lambda w: _phoned_household(w.b, "B")}),
    }
)
