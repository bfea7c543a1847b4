"""The synthetic province generator at tiny sizes (the 1M run lives in `make bench`)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum

from apps.core import crypto
from apps.core.pinyin import pinyin_keys
from apps.dues import rules, stats, tally
from apps.dues.models import DuesLine, DuesTally, IncomeDeclaration, LedgerMonth, Payment, PaymentMonth
from apps.members import codes
from apps.members.idnumber import parse
from apps.members.models import Member, MemberCategory
from apps.orgs.models import Organisation
from apps.orgs.services import subtree_member_count
from bench import synth
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_province_shape_and_member_records_are_valid():
    result = synth.build_province(1500, 3, seed=7, workers=1, out=lambda *_: None)
    root = Organisation.objects.get(pk=result["root_id"])
    assert root.depth == 1 and root.name.endswith("省委员会")
    assert Member.objects.count() == 1500
    assert Organisation.objects.count() == result["organisations"]
    counties = Organisation.objects.filter(depth=2)
    assert counties.count() == 3
    assert set(Organisation.objects.values_list("org_type", flat=True)) == {"county_committee", "committee", "general_branch", "branch"}
    # every member: valid unique ID number behind a real ciphertext, blind index, masks, pinyin, org_path
    seen = set()
    for m in Member.objects.select_related("organisation"):
        number = crypto.decrypt(m.id_number_enc)
        facts = parse(number)
        assert facts.birth_date == m.birth_date and facts.sex == m.sex
        assert m.id_number_hash == crypto.blind_index(number)
        assert m.id_number_masked == crypto.mask_id_number(number)
        phone = crypto.decrypt(m.phone_enc)
        assert m.phone_hash == crypto.blind_index(phone) and m.phone_masked == crypto.mask_phone(phone)
        assert (m.name_pinyin, m.name_initials) == pinyin_keys(m.name)
        assert m.org_path == m.organisation.path
        assert m.organisation.org_type == "branch"
        seen.add(number)
    assert len(seen) == 1500
    # one area code per county
    areas = {crypto.decrypt(e)[:6] for e in Member.objects.values_list("id_number_enc", flat=True)}
    assert len(areas) == 3


def test_counters_tree_and_categories_are_consistent():
    result = synth.build_province(500, 2, seed=3, workers=1, out=lambda *_: None)
    root = Organisation.objects.get(pk=result["root_id"])
    counted = Member.objects.counted().count()
    assert subtree_member_count(root) == counted
    for county in Organisation.objects.filter(depth=2):
        assert subtree_member_count(county) == Member.objects.counted().filter(org_path__startswith=county.path).count()
    # treebeard sees a consistent tree and can keep growing it
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    county = Organisation.objects.filter(depth=2).order_by("path").first()
    child = make_org(county, org_type="branch", name="新建党支部")
    assert child.path.startswith(county.path) and child.depth == 3
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    # rural members (village branches) carry the rural category
    rural = MemberCategory.objects.filter(code="rural").values_list("member_id", flat=True)
    assert set(rural) == set(Member.objects.filter(organisation__unit_type="village").values_list("id", flat=True))
    assert MemberCategory.objects.exclude(code__in=[c for c, _ in codes.CATEGORY_CHOICES]).count() == 0
    held = {}
    for member_id, code in MemberCategory.objects.values_list("member_id", "code"):
        held[member_id] = held.get(member_id, 0) | codes.CATEGORY_BITS[code]
    assert dict(Member.objects.exclude(category_bits=0).values_list("id", "category_bits")) == held


def test_shares_follow_the_seed_county():
    synth.build_province(4000, 1, seed=1, workers=1, out=lambda *_: None)
    total = Member.objects.count()
    rural = MemberCategory.objects.filter(code="rural").count() / total
    women = Member.objects.filter(sex="F").count() / total
    high = Member.objects.filter(education__in=codes.HIGH_SCHOOL_OR_ABOVE).count() / total
    assert abs(rural - 0.504) < 0.01
    assert abs(women - 0.154) < 0.03
    assert abs(high - 0.55) < 0.03


def test_same_seed_same_plaintext():
    orgs, plans = synth.plan_province(300, 2, 5, 1, 1, "0001", "X")
    orgs2, plans2 = synth.plan_province(300, 2, 5, 1, 1, "0001", "X")
    assert [o.row() for o in orgs] == [o.row() for o in orgs2]
    a, _, _ = synth.generate_county(plans[0], 5, text=False)
    b, _, _ = synth.generate_county(plans2[0], 5, text=False)
    plain = lambda rows: [tuple(v for i, v in enumerate(r) if synth.MEMBER_COLUMNS[i] not in ("id_number_enc", "phone_enc")) for r in rows]  # noqa: E731
    assert plain(a) == plain(b)
    assert a[0][7] != b[0][7]  # Fernet: a fresh IV every time, never a shared ciphertext


def test_treebeard_path_steps():
    assert [synth.segment(n) for n in (1, 9, 10, 35, 36, 37)] == ["0001", "0009", "000A", "000Z", "0010", "0011"]


def test_second_province_and_reset(django_db_blocker):
    first = synth.build_province(100, 1, seed=1, workers=1, out=lambda *_: None)
    second = synth.build_province(100, 1, seed=2, workers=1, out=lambda *_: None)
    assert first["root_path"] != second["root_path"]
    assert Member.objects.count() == 200
    synth.build_province(50, 1, seed=1, workers=1, reset=True, out=lambda *_: None)
    assert Member.objects.count() == 50
    assert Organisation.objects.filter(depth=1).count() == 1


def test_rebuilding_indexes_keeps_every_index():
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            return {
                name
                for table in synth.BULK_TABLES
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"] or info["foreign_key"]
            }

    before = indexes()
    synth.build_province(200, 2, seed=4, workers=1, rebuild_indexes=True, out=lambda *_: None)
    assert indexes() == before
    assert Member.objects.count() == 200


def test_worker_processes_produce_the_same_rows():
    synth.build_province(300, 3, seed=9, workers=2, out=lambda *_: None)
    assert Member.objects.count() == 300
    assert Member.objects.values("id_number_hash").distinct().count() == 300


def test_command_validates_arguments():
    with pytest.raises(CommandError, match="正整数"):
        call_command("synth_province", "--members", "0")
    with pytest.raises(CommandError, match="正整数"):
        call_command("synth_province", "--members", "10", "--counties", "0")


def test_command_builds_a_province(capsys):
    call_command("synth_province", "--members", "120", "--counties", "2", "--seed", "3", "--workers", "1")
    assert Member.objects.count() == 120
    assert not DuesLine.objects.exists()  # dues only with --dues
    assert "完成" in capsys.readouterr().out


# ---------------------------------------------------------------- dues (--dues)
DECEMBER = datetime.date(synth.DUES_YEAR, 12, 4)  # statistics taken in December see January–November


@pytest.fixture
def dues_province():
    result = synth.build_province(1200, 2, seed=5, workers=1, dues=True, out=lambda *_: None)
    return Organisation.objects.get(pk=result["root_id"]), result


def test_dues_lines_for_every_counted_member_and_month_priced_by_the_rule_engine(dues_province):
    _root, result = dues_province
    window = synth.dues_months()
    counted = set(Member.objects.counted().values_list("id", flat=True))
    assert len(counted) < Member.objects.count()  # the deceased and withdrawn get no lines
    lines = list(
        DuesLine.objects.values_list("member_id", "month", "organisation_id", "org_path", "category", "base", "rate", "amount_due")
    )
    assert {(m, month) for m, month, *_ in lines} == {(m, month) for m in counted for month in window}
    assert len(lines) == len(counted) * len(window) == result["dues"]["dues_duesline"]
    declared = {d.member_id: d for d in IncomeDeclaration.objects.all()}
    assert set(declared) == counted
    members = {m.id: m for m in Member.objects.filter(id__in=counted).only("id", "organisation_id", "org_path", "occupation")}
    rates = set()
    for member_id, month, org_id, path, category, base, rate, due in lines:
        d, m = declared[member_id], members[member_id]
        assert (org_id, path) == (m.organisation_id, m.org_path)
        assert (category, base) == (d.category, d.base)
        assert (rate, due) == rules.monthly_amount(category, base, month, fixed_amount=d.fixed_amount)
        if m.occupation in rules.DEFAULT_CATEGORY_BY_OCCUPATION:
            assert category == rules.DEFAULT_CATEGORY_BY_OCCUPATION[m.occupation]
        rates.add(rate)
    # the brackets of both percent tables and the fixed amounts all occur
    assert {b.rate for b in rules.STANDARD_BRACKETS[:3]} | {rules.RETIREE_BRACKETS[0].rate, None} <= rates


def test_dues_payments_months_and_ledger_totals_agree(dues_province):
    _root, result = dues_province
    lines = DuesLine.objects.all()
    total = lines.count()
    paid = lines.filter(status=DuesLine.Status.PAID)
    unpaid = lines.filter(status=DuesLine.Status.UNPAID)
    elsewhere = lines.filter(status=DuesLine.Status.PAID_ELSEWHERE)
    assert paid.count() + unpaid.count() + elsewhere.count() == total
    assert 0.93 < paid.count() / total < 0.99 and unpaid.count() and elsewhere.count()
    assert not paid.filter(payment__isnull=True).exists() and not unpaid.filter(payment__isnull=False).exists()
    assert not elsewhere.filter(Q(paid_elsewhere=False) | Q(paid_elsewhere_note="")).exists()
    # every paid line has its payment month; payments add up to the months they settle
    assert PaymentMonth.objects.count() == paid.count()
    assert set(PaymentMonth.objects.values_list("member_id", "month", "payment_id", "amount")) == set(
        paid.values_list("member_id", "month", "payment_id", "amount_due")
    )
    for p in Payment.objects.annotate(n=Count("months"), s=Sum("months__amount")):
        assert (p.n, p.s) == (p.month_count, p.amount)
        assert p.first_month <= p.paid_on <= datetime.date(synth.DUES_YEAR, 11, 30)
    assert Payment.objects.filter(mode="quarterly", branch_consent=True).exists()
    assert rules.money(Payment.objects.aggregate(s=Sum("amount"))["s"]) == rules.money(paid.aggregate(s=Sum("amount_due"))["s"])
    assert Payment.objects.count() == result["dues"]["dues_payment"]
    # one ledger month per organisation and month, with its line count
    ledger = {(lm.organisation_id, lm.month): lm.line_count for lm in LedgerMonth.objects.all()}
    assert ledger == {
        (o, m): n
        for o, m, n in lines.values("organisation_id", "month").annotate(n=Count("id")).values_list("organisation_id", "month", "n")
    }


def test_dues_tallies_are_tally_rebuild_s_and_check_org_tree_finds_nothing(dues_province):
    _root, result = dues_province
    fields = ("organisation_id", "org_path", "month", "lines", "settled", "expected", "collected")
    built = set(DuesTally.objects.values_list(*fields))
    assert len(built) == result["dues"]["dues_duestally"] > 0
    assert tally.drift() == ([], 0)
    assert tally.rebuild() == len(built)
    assert set(DuesTally.objects.values_list(*fields)) == built
    out = io.StringIO()
    with pytest.raises(CommandError):  # the synthetic root is typed as a county committee: a known type finding, not dues
        call_command("check_org_tree", stdout=out)
    report = out.getvalue()
    assert "[通过] 党费月度汇总与台账不一致" in report and "[通过] 党费台账的组织路径" in report
    assert not [line for line in report.splitlines() if line.startswith("[问题]") and "党费" in line]


def test_dues_statistics_and_health_metric_on_the_synthetic_province(dues_province):
    from apps.supervision.metrics import dues_collected

    root, _ = dues_province
    county = Organisation.objects.filter(depth=2).order_by("path").first()
    for org in (root, county):
        lines = DuesLine.objects.filter(org_path__startswith=org.path)
        figures = stats.contribute(org, DECEMBER)["dues"]
        assert figures["year"] == synth.DUES_YEAR
        # (rules.money: SQLite sums decimals in floating point)
        expected = rules.money(lines.exclude(status=DuesLine.Status.PAID_ELSEWHERE).aggregate(s=Sum("amount_due"))["s"])
        assert Decimal(figures["expected"]) == expected > 0
        collected = Payment.objects.filter(org_path__startswith=org.path).aggregate(s=Sum("amount"))["s"]
        assert Decimal(figures["collected"]) == rules.money(collected)
        settled = lines.filter(status__in=DuesLine.SETTLED).count()
        assert figures["paid_up_rate"] == round(100 * settled / lines.count(), 1)
        assert 93 < figures["paid_up_rate"] < 99
        # arrears: trailing unpaid months up to November, counted from the lines here
        runs = {}
        for member_id, status in lines.order_by("member_id", "-month").values_list("member_id", "status"):
            if runs.get(member_id, (0, True))[1]:
                n = runs.get(member_id, (0, True))[0]
                runs[member_id] = (n + 1, True) if status == DuesLine.Status.UNPAID else (n, False)
        n = [k for k, _ in runs.values()]
        assert (figures["arrears_warning"], figures["arrears_escalation"], figures["arrears_case"]) == (
            sum(k >= 3 for k in n),
            sum(k >= 5 for k in n),
            sum(k >= 6 for k in n),
        )
        assert figures["arrears_case"] > 0 and figures["arrears_warning"] < lines.count() / len(synth.dues_months()) * 0.05
        share, reason = dues_collected([org.id], synth.DUES_YEAR, None)[org.id]
        assert share == settled / lines.count() and f"应交{lines.count()}人次" in reason


def test_dues_rows_follow_the_seed():
    _orgs, plans = synth.plan_province(300, 1, 5, 1, 1, "0001", "X")
    a = synth.generate_county(plans[0], 5, text=False, dues_first_payment=1)[3]
    b = synth.generate_county(plans[0], 5, text=False, dues_first_payment=1)[3]
    assert a == b and a["dues_duesline"]
    assert synth.generate_county(plans[0], 6, text=False, dues_first_payment=1)[3] != a


def test_dues_with_rebuilt_indexes_workers_and_reset():
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            return {
                name
                for table in synth.DUES_TABLES
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"] or info["foreign_key"]
            }

    before = indexes()
    synth.build_province(300, 3, seed=2, workers=2, rebuild_indexes=True, dues=True, out=lambda *_: None)
    assert indexes() == before
    assert DuesLine.objects.count() == Member.objects.counted().count() * synth.DUES_MONTHS
    assert tally.drift() == ([], 0)
    # a reset empties the dues tables too
    synth.build_province(50, 1, seed=1, workers=1, reset=True, out=lambda *_: None)
    assert not DuesLine.objects.exists() and not Payment.objects.exists() and not DuesTally.objects.exists()


def test_command_builds_dues_when_asked(capsys):
    call_command("synth_province", "--members", "120", "--counties", "1", "--seed", "4", "--workers", "1", "--dues")
    assert DuesLine.objects.count() == Member.objects.counted().count() * synth.DUES_MONTHS
    assert "党费" in capsys.readouterr().out
