"""The rule tables' default rows come back after a flush (post_migrate), so a fresh
`manage.py flush` — and every transactional test — leaves a usable database."""

import pytest
from django.core.management import call_command

from apps.care.models import CareOccasion, CommendationKind
from apps.core import defaults
from apps.democracy.models import FeedbackCategory
from apps.mobility.models import MobilityRuleVersion
from apps.supervision.models import ChecklistVersion


@pytest.mark.django_db(transaction=True)
def test_flush_restores_every_registered_default():
    assert CareOccasion.objects.filter(code="illness").exists()
    call_command("flush", "--noinput", verbosity=0)
    assert CareOccasion.objects.filter(code="illness").exists()
    assert CommendationKind.objects.filter(code="excellent_member").exists()
    assert FeedbackCategory.objects.filter(code="suggestion").exists()
    assert ChecklistVersion.objects.count() == 1
    assert MobilityRuleVersion.objects.count() == 1


@pytest.mark.django_db
def test_seeds_are_idempotent_and_all_registered():
    before = CareOccasion.objects.count()
    ran = defaults.ensure_defaults()
    assert CareOccasion.objects.count() == before
    assert {m.rsplit(".", 1)[-1] for m in ran} == {
        "0002_default_occasions",
        "0004_default_commendation_kinds",
        "0002_default_categories",
        "0002_default_rules",
        "0004_default_rules",
        "0002_seed_rule_version",
        "0002_default_checklist",
    }
