import datetime
import random

import pytest
from django.utils import timezone

from apps.democracy import demo
from apps.democracy.models import Feedback, Notice, NoticeRead
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_demo_notices_reads_feedback(tree):
    for b in [b for row in tree["branches"] for b in row]:
        for _ in range(40):
            make_member(b)
    today = timezone.localdate()
    result = demo.populate(tree["county"], random.Random(5), today)
    assert result["notices"] >= 2 and Notice.objects.exists() and NoticeRead.objects.exists() and Feedback.objects.exists()
    for fb in Feedback.objects.all():
        assert (fb.raiser_id is None) != (fb.citizen_name == "")
        if fb.answered_on:
            assert fb.answered_in_time == (fb.answered_on <= fb.due_on) and fb.answered_on <= today
    assert demo.populate(tree["county"], random.Random(5), today) == {"skipped": True}
    assert datetime.date.today()
