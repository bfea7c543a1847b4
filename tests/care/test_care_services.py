import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.care import selectors, services
from apps.care.models import ChecklistItem, Hardship, Pairing, PairingUpdate, Visit
from apps.core.models import ChangeLog
from apps.core.scoping import OutOfScope
from apps.members import services as member_services
from tests.factories import make_member

from .conftest import CLI, occasion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year


def visit_data(member, code="illness", **kw):
    return {
        "member": member,
        "occasion": occasion(code),
        "visited_on": kw.pop("visited_on", TODAY),
        "visitors": "支部书记王强、组织委员李敏",
        "content": "到医院看望，了解治疗情况",
        "amount": "500.00",
        **kw,
    }


class TestVisits:
    def test_record_visit_audited(self, member, secretary):
        v = services.record_visit(visit_data(member, follow_up="出院后再访"), actor=secretary)
        assert v.organisation == member.organisation and v.amount == Decimal("500.00")
        assert ChangeLog.objects.filter(object_type="care.visit", object_id=str(v.pk), action="create").exists()
        services.complete_follow_up(v, done_on=TODAY, actor=secretary)
        v.refresh_from_db()
        assert v.follow_up_done_on == TODAY

    def test_outsider_refused_nothing_written(self, member, outsider):
        with pytest.raises(OutOfScope):
            services.record_visit(visit_data(member), actor=outsider)
        assert not Visit.objects.exists()

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"visitors": " "}, "visitors"),
            ({"content": ""}, "content"),
            ({"visited_on": TODAY + datetime.timedelta(days=1)}, "visited_on"),
            ({"visited_on": "2026-13-01"}, "visited_on"),
            ({"amount": "-1"}, "amount"),
            ({"amount": "1.234"}, "amount"),
        ],
    )
    def test_bad_input_names_the_field(self, member, secretary, change, field):
        with pytest.raises(ValidationError) as exc:
            services.record_visit({**visit_data(member), **change}, actor=secretary)
        assert field in exc.value.message_dict
        assert not Visit.objects.exists()

    def test_greeting_is_not_a_visit(self, member, secretary):
        with pytest.raises(ValidationError) as exc:
            services.record_visit(visit_data(member, "july_first_greeting"), actor=secretary)
        assert "问候" in exc.value.message_dict["occasion"][0]


class TestChecklist:
    def test_targets_from_registry_and_completion(self, branch, secretary, committee):
        old = make_member(branch, birth_date=datetime.date(YEAR - 85, 3, 1))
        young = make_member(
            branch,
            birth_date=datetime.date(YEAR - 30, 3, 1),
            join_date=datetime.date(YEAR - 5, 1, 1),
            conversion_date=None,
            member_type="probationary",
        )
        poor = make_member(branch, birth_date=datetime.date(YEAR - 40, 3, 1))
        services.register_hardship({"member": poor, "cause": "illness", "level": "severe", "description": "重病"}, actor=secretary)
        dead = make_member(branch, birth_date=datetime.date(YEAR - 60, 3, 1))
        member_services.change_status(dead, "deceased", date=TODAY - datetime.timedelta(days=30), reason="病故", actor=CLI)
        result = services.generate_checklist(branch, occasion("july_first"), YEAR, actor=secretary)
        items = {i.member_id: i for i in ChecklistItem.objects.filter(year=YEAR)}
        assert old.pk in items and "old" in items[old.pk].reasons
        assert poor.pk in items and {"hardship", "sick"} <= set(items[poor.pk].reasons.split(","))
        assert young.pk not in items
        assert "deceased_family" in items[dead.pk].reasons
        assert result.created == len(items)
        # again: nothing new, completion kept
        services.record_visit(visit_data(old, "july_first", visited_on=TODAY), actor=secretary)
        again = services.generate_checklist(branch, occasion("july_first"), YEAR, actor=secretary)
        assert again.created == 0
        item = ChecklistItem.objects.get(member=old, year=YEAR)
        assert item.done_on == TODAY and item.visit is not None
        summary = selectors.checklist_summary(committee, occasion("july_first"), YEAR)
        assert summary[0]["done"] == 1 and summary[0]["total"] == len(items)

    def test_greetings_to_everyone_marked_delivered(self, branch, secretary, outsider):
        members = [make_member(branch) for _ in range(3)]
        services.generate_checklist(branch, occasion("july_first_greeting"), YEAR, actor=secretary)
        items = list(ChecklistItem.objects.filter(occasion__code="july_first_greeting"))
        assert {i.member_id for i in items} >= {m.pk for m in members}
        with pytest.raises(OutOfScope):
            services.mark_items_done(items, done_on=TODAY, actor=outsider)
        assert not ChecklistItem.objects.filter(done_on__isnull=False).exists()
        assert services.mark_items_done(items, done_on=TODAY, actor=secretary) == len(items)

    def test_visit_items_cannot_be_ticked(self, branch, secretary):
        make_member(branch, birth_date=datetime.date(YEAR - 85, 3, 1))
        services.generate_checklist(branch, occasion("spring_festival"), YEAR, actor=secretary)
        with pytest.raises(ValidationError):
            services.mark_items_done(list(ChecklistItem.objects.all()), done_on=TODAY, actor=secretary)

    def test_must_visit_has_no_checklist(self, branch, secretary):
        with pytest.raises(ValidationError) as exc:
            services.generate_checklist(branch, occasion("illness"), YEAR, actor=secretary)
        assert "occasion" in exc.value.message_dict

    def test_outsider_cannot_generate(self, branch, outsider):
        with pytest.raises(OutOfScope):
            services.generate_checklist(branch, occasion("july_first"), YEAR, actor=outsider)


class TestHardshipAndPairing:
    def test_register_pair_update_close(self, branch, secretary):
        poor, helper = make_member(branch), make_member(branch)
        h = services.register_hardship(
            {"member": poor, "cause": "disaster", "level": "general", "description": "房屋受灾"}, actor=secretary
        )
        with pytest.raises(ValidationError) as exc:
            services.register_hardship({"member": poor, "cause": "disaster", "level": "general", "description": "再次"}, actor=secretary)
        assert "重复" in exc.value.message_dict["member"][0]
        p = services.start_pairing(
            h, {"helper": helper, "pledge_thought": "每月谈心", "pledge_work": "介绍务工", "pledge_poverty": "年底脱贫"}, actor=secretary
        )
        with pytest.raises(ValidationError):
            services.start_pairing(h, {"helper": helper, "pledge_thought": "a", "pledge_work": "b", "pledge_poverty": "c"}, actor=secretary)
        with pytest.raises(ValidationError) as exc:
            services.start_pairing(h, {"helper": poor, "pledge_thought": "a", "pledge_work": "b", "pledge_poverty": "c"}, actor=secretary)
        assert "本人" in exc.value.message_dict["helper"][0]
        services.add_pairing_update(p, on=TODAY, content="帮助联系县城务工岗位", actor=secretary)
        p.refresh_from_db()
        assert p.last_update_on == TODAY and PairingUpdate.objects.count() == 1
        services.close_hardship(h, closed_on=TODAY, note="稳定就业，收入达标", actor=secretary)
        p.refresh_from_db()
        assert p.status == Pairing.Status.CLOSED and Hardship.objects.get().status == "closed"
        with pytest.raises(ValidationError):
            services.add_pairing_update(p, on=TODAY, content="结束后", actor=secretary)

    def test_bad_cause_and_outsider(self, member, secretary, outsider):
        with pytest.raises(ValidationError) as exc:
            services.register_hardship({"member": member, "cause": "bad", "level": "general", "description": "x"}, actor=secretary)
        assert "cause" in exc.value.message_dict
        with pytest.raises(OutOfScope):
            services.register_hardship({"member": member, "cause": "illness", "level": "general", "description": "x"}, actor=outsider)
        assert not Hardship.objects.exists()

    def test_helper_outside_scope_refused(self, branch, other_branch, secretary):
        poor, stranger = make_member(branch), make_member(other_branch)
        h = services.register_hardship({"member": poor, "cause": "illness", "level": "general", "description": "x"}, actor=secretary)
        with pytest.raises(ValidationError) as exc:
            services.start_pairing(
                h, {"helper": stranger, "pledge_thought": "a", "pledge_work": "b", "pledge_poverty": "c"}, actor=secretary
            )
        assert "范围" in exc.value.message_dict["helper"][0]
        assert not Pairing.objects.exists()

    def test_update_due(self, branch, secretary):
        poor, helper = make_member(branch), make_member(branch)
        h = services.register_hardship(
            {
                "member": poor,
                "cause": "illness",
                "level": "general",
                "description": "x",
                "registered_on": TODAY - datetime.timedelta(days=200),
            },
            actor=secretary,
        )
        services.start_pairing(
            h,
            {
                "helper": helper,
                "pledge_thought": "a",
                "pledge_work": "b",
                "pledge_poverty": "c",
                "started_on": TODAY - datetime.timedelta(days=120),
            },
            actor=secretary,
        )
        assert selectors.pairing_list(secretary, {"due": "1"}).count() == 1
        services.add_pairing_update(Pairing.objects.get(), on=TODAY, content="走访", actor=secretary)
        assert selectors.pairing_list(secretary, {"due": "1"}).count() == 0
