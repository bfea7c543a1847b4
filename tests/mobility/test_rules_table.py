"""The county-editable amounts of issue 17 (letter validity and its range, the receipt
limit, the certificate duration, the report and abroad contact intervals) are a versioned
rule table: seeded by a data migration, edited by a county administrator only, read by
the services (a new version changes what is issued from then on, not what was issued)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.core.dates import add_months
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.mobility import rules, services
from apps.mobility.models import MobileRecord, MobilityRuleVersion, Transfer
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
AWAY = {"reason": "外出务工", "destination": "广东省深圳市", "home_contact": "支部书记"}


def _new(admin, note="县里调整", **changes):
    return services.save_rules({**services.rule_values(), **changes}, note=note, actor=admin)


def test_seeded_by_the_migration_with_the_regulation_defaults():
    version = MobilityRuleVersion.objects.order_by("id").first()
    assert version is not None and version.note == rules.DEFAULT_NOTE
    values = services.rule_values()
    assert values["letter_days_within"] == 30 and values["letter_days_across"] == 90
    assert (values["letter_days_min"], values["letter_days_max"]) == (7, 90)
    assert values["receipt_months"] == 1 and values["abroad_contact_months"] == 6 and values["report_months"] == 12


def test_the_seed_is_registered_so_a_flush_keeps_it():
    from apps.core import defaults

    MobilityRuleVersion.objects.all().delete()
    ran = defaults.ensure_defaults()
    assert "apps.mobility.migrations.0004_default_rules" in ran
    assert MobilityRuleVersion.objects.count() == 1


def test_a_new_version_drives_letters_receipts_certificates_and_intervals(admin, branch, sibling):
    _new(admin, letter_days_within=45, letter_days_max=120, receipt_months=2, certificate_months_default=4, abroad_contact_months=3)
    assert ChangeLog.objects.filter(message="县里调整").exists()
    t = services.request_transfer(make_member(branch), {"to_organisation": sibling, "reason": "调动"}, actor=SYSTEM)
    assert t.validity_days == 45
    services.decide_step(t, approve=True, actor=SYSTEM)
    t = services.decide_step(t, approve=True, actor=SYSTEM)
    assert t.receipt_due == max(t.valid_until, add_months(t.issued_on, 2))
    # a validity the old range refused is allowed by the new one
    t2 = services.request_transfer(make_member(branch), {"to_organisation": sibling, "reason": "调动", "validity_days": 100}, actor=SYSTEM)
    assert t2.validity_days == 100
    r = services.register_mobile(make_member(branch), {**AWAY, "studying_abroad": True}, actor=SYSTEM)
    assert r.months == 4 and r.next_due == add_months(r.issued_on, 3)


def test_a_letter_keeps_what_it_was_issued_with(admin, branch, sibling):
    t = services.request_transfer(make_member(branch), {"to_organisation": sibling, "reason": "调动"}, actor=SYSTEM)
    services.decide_step(t, approve=True, actor=SYSTEM)
    t = services.decide_step(t, approve=True, actor=SYSTEM)
    due = t.receipt_due
    _new(admin, letter_days_within=20, receipt_months=3)
    t.refresh_from_db()
    assert t.validity_days == 30 and t.receipt_due == due


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"letter_days_within": 0}, "letter_days_within", "须在 1–365 天之间"),
        ({"letter_days_within": "三十"}, "letter_days_within", "不是整数"),
        ({"letter_days_min": 40, "letter_days_max": 30}, "letter_days_min", "不能多于最长天数"),
        ({"letter_days_across": 120}, "letter_days_across", "须在可填范围 7–90 天之内"),
        ({"certificate_months_default": 61}, "certificate_months_default", "须在活动证外出期限 1–60 个月之内"),
        ({"receipt_months": 13}, "receipt_months", "回执退回期限须在 1–12 个月之间"),
    ],
)
def test_bad_values_save_nothing(admin, changes, field, message):
    before = MobilityRuleVersion.objects.count()
    with pytest.raises(ValidationError) as exc:
        _new(admin, **changes)
    assert field in exc.value.message_dict and message in "".join(exc.value.message_dict[field])
    assert MobilityRuleVersion.objects.count() == before


def test_only_a_county_administrator_may_change_them(tree, secretary, organiser):
    before = MobilityRuleVersion.objects.count()
    for user in (secretary, organiser, make_user("county_leader", tree["county"])):
        with pytest.raises(ScopeError):
            _new(user)
    assert MobilityRuleVersion.objects.count() == before


def test_validity_outside_the_configured_range_is_refused(admin, branch, sibling):
    _new(admin, letter_days_min=10, letter_days_max=60, letter_days_across=60)
    for days in (9, 61):
        with pytest.raises(ValidationError, match=f"须在 10–60 天之间.*填写的是 {days} 天"):
            services.request_transfer(
                make_member(branch), {"to_organisation": sibling, "reason": "调动", "validity_days": days}, actor=SYSTEM
            )
    assert not Transfer.objects.exists()


def test_certificate_duration_range_and_transfer_limit_come_from_the_table(admin, branch):
    _new(admin, certificate_months_max=12, certificate_transfer_months=4)
    with pytest.raises(ValidationError, match="须在 1–12 个月之间"):
        services.register_mobile(make_member(branch), {**AWAY, "months": 13}, actor=SYSTEM)
    with pytest.raises(ValidationError, match="外出4个月以上且有固定地点的"):
        services.register_mobile(make_member(branch), {**AWAY, "months": 4}, actor=SYSTEM)
    assert not MobileRecord.objects.exists()


def test_editor_page(admin, secretary):
    c = Client()
    c.force_login(admin)
    page = c.get("/mobility/rules/")
    assert page.status_code == 200 and "保存为新版本" in page.content.decode()
    body = {**services.rule_values(), "letter_days_within": 25, "note": "网页修订"}
    assert c.post("/mobility/rules/", body).status_code == 302
    assert services.rule_values()["letter_days_within"] == 25
    bad = c.post("/mobility/rules/", {**body, "letter_days_within": 5, "note": "错误"})
    assert bad.status_code == 200 and "须在可填范围 7–90 天之内" in bad.content.decode()
    assert services.rule_values()["letter_days_within"] == 25
    # a branch secretary reads the rules, cannot change them
    s = Client()
    s.force_login(secretary)
    page = s.get("/mobility/rules/").content.decode()
    assert "介绍信有效期（省内）" in page and '<button class="btn primary" type="submit">保存为新版本' not in page
    assert s.post("/mobility/rules/", {**body, "letter_days_within": 40}).status_code == 404
    assert services.rule_values()["letter_days_within"] == 25


def test_api(admin, secretary):
    api = APIClient()
    api.force_authenticate(admin)
    answer = api.post("/api/mobility/rules/", {"letter_days_across": 60, "note": "接口修订"}, format="json")
    assert answer.status_code == 201 and answer.json()["values"]["letter_days_across"] == 60
    bad = api.post("/api/mobility/rules/", {"letter_days_across": 200, "note": "错误"}, format="json")
    assert bad.status_code == 400 and "须在可填范围" in bad.json()["letter_days_across"][0]
    listed = api.get("/api/mobility/rules/").json()
    assert listed["results"][0]["values"]["letter_days_across"] == 60
    other = APIClient()
    other.force_authenticate(secretary)
    assert other.get("/api/mobility/rules/").status_code == 200
    assert other.post("/api/mobility/rules/", {"letter_days_across": 30, "note": "x"}, format="json").status_code == 404
    assert services.rule_values()["letter_days_across"] == 60


def test_no_literal_left_in_the_code_paths():
    """The amounts live in the table only: the old module constants are gone."""
    for name in ("VALIDITY_DAYS", "VALIDITY_RANGE", "RECEIPT_MONTHS", "REPORT_MONTHS", "ABROAD_CONTACT_MONTHS", "MOBILE_DURATION_RANGE"):
        assert not hasattr(rules, name)
