"""The synthetic province generator at tiny sizes (the 1M run lives in `make bench`)."""

import pytest
from django.core.management import CommandError, call_command

from apps.core import crypto
from apps.core.pinyin import pinyin_keys
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
    assert "完成" in capsys.readouterr().out
