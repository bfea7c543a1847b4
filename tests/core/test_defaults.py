"""Default rule rows survive a flush (apps.core.defaults): `manage.py flush` and the
teardown of every transactional test empty all tables, and Django's post_migrate after
the flush brings each app's defaults back — so no test depends on running after a test
that did not flush."""

import datetime

import pytest
from django.core.management import call_command

from apps.care import rules as care_rules
from apps.care.models import CareOccasion, CommendationKind, SubsidyRate
from apps.core import defaults, registry
from apps.democracy import rules as democracy_rules
from apps.democracy.models import FeedbackCategory, NoticeCategory
from apps.education.models import StudyRuleVersion
from apps.education.rules import DEFAULTS as STUDY_DEFAULTS
from apps.orglife import rules as orglife_rules
from apps.orglife.models import RuleVersion
from apps.supervision import rules as supervision_rules
from apps.supervision.models import ChecklistItem, ChecklistVersion


def _figures() -> dict:
    return {
        "care occasions": CareOccasion.objects.count(),
        "commendation kinds": CommendationKind.objects.count(),
        "subsidy rates": SubsidyRate.objects.filter(year=datetime.date.today().year).count(),
        "feedback categories": FeedbackCategory.objects.count(),
        "notice categories": NoticeCategory.objects.count(),
        "study rule versions": StudyRuleVersion.objects.count(),
        "orglife rule versions": RuleVersion.objects.count(),
        "checklist versions": ChecklistVersion.objects.count(),
        "checklist items": ChecklistItem.objects.count(),
    }


EXPECTED = {
    "care occasions": len(care_rules.DEFAULT_OCCASIONS),
    "commendation kinds": len(care_rules.DEFAULT_COMMENDATION_KINDS),
    "subsidy rates": len(care_rules.DEFAULT_SUBSIDIES),
    "feedback categories": len(democracy_rules.DEFAULT_FEEDBACK_CATEGORIES),
    "notice categories": len(democracy_rules.DEFAULT_NOTICE_CATEGORIES),
    "study rule versions": 1,
    "orglife rule versions": 1,
    "checklist versions": 1,
    "checklist items": len(supervision_rules.DEFAULT_CHECKLIST),
}


@pytest.mark.django_db(transaction=True)
def test_flush_brings_the_defaults_back():
    CareOccasion.objects.all().delete()  # even rows a test removed itself
    call_command("flush", interactive=False, verbosity=0)
    assert _figures() == EXPECTED
    assert StudyRuleVersion.objects.get().values == STUDY_DEFAULTS
    assert RuleVersion.objects.get().values == orglife_rules.defaults()


@pytest.mark.django_db(transaction=True)
def test_ensure_is_idempotent_and_keeps_edits():
    call_command("flush", interactive=False, verbosity=0)
    occasion = CareOccasion.objects.order_by("id").first()
    CareOccasion.objects.filter(pk=occasion.pk).update(name="县里改过的名称")
    assert set(defaults.ensure_all()) >= {"care", "democracy", "education", "orglife", "supervision"}
    assert _figures() == EXPECTED
    assert CareOccasion.objects.get(pk=occasion.pk).name == "县里改过的名称"


@pytest.mark.django_db
def test_migrate_does_not_reseed(monkeypatch):
    """After migrate the data migrations have seeded; the receiver only acts on a flush."""
    calls = []
    monkeypatch.setattr(defaults, "ensure_all", lambda using="default": calls.append(using))
    defaults.ensure_after_flush(sender=None, using="default", plan=[], apps=None)
    defaults.ensure_after_flush(sender=None, using="other")
    assert calls == []
    defaults.ensure_after_flush(sender=None, using="default")
    assert calls == ["default"]


def test_every_seeding_migration_is_registered():
    """The data migrations that seed default rows, each listed once."""
    names = {entry.name for entry in registry.defaults}
    assert {"care", "democracy", "education", "orglife", "supervision"} <= names
    with pytest.raises(ValueError, match="registered twice"):
        registry.default_rows("care")
