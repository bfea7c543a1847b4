"""出党后5年内不得重新入党: a person advised out (劝其退党) or removed (除名) cannot open a new
development file before the block ends. Appraisal registers the check in
registry.application_checks; the recruitment engine consults it at step 1 (递交入党申请书)
for the service, the web form and the API alike, and nothing is half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.appraisal import rules, services
from apps.appraisal.models import HandlingCase
from apps.core import registry
from apps.core.actors import system_actor
from apps.recruitment import services as recruitment_services
from apps.recruitment.models import DevelopmentFile, DevelopmentStep
from tests.appraisal.test_handling import TODAY, d, walk
from tests.factories import make_member
from tests.recruitment.helpers import applicant_data

BLOCK = "5年内不得重新入党"


@pytest.fixture
def removed(branch, secretary, organiser):
    """A member removed (除名) 20 days ago through the handling case."""
    m = make_member(branch)
    case = services.open_case(m, kind=rules.REMOVAL, source="manual", source_note="连续6个月不参加组织生活", on=d(70), actor=secretary)
    walk(case, upto="decided", organiser=organiser, actor=secretary)
    m.refresh_from_db()
    assert m.status == "removed"
    return m


def _applicant(person, org, **overrides):
    overrides.setdefault("application_date", TODAY)
    return applicant_data(org, id_number=person.reveal_id_number(), birth_date=person.birth_date, sex=person.sex, **overrides)


def _nothing_saved():
    assert not DevelopmentFile.objects.exists()
    assert not DevelopmentStep.objects.exists()


def test_the_check_is_registered_for_the_recruitment_engine():
    entry = registry.application_checks.get("appraisal_rejoin_block")
    assert entry.refusal("", TODAY) == ""


def test_service_refuses_a_new_file_inside_the_block(removed, branch):
    with pytest.raises(ValidationError) as exc:
        recruitment_services.create_file(_applicant(removed, branch), actor=system_actor("cli"))
    message = exc.value.message_dict["id_number"][0]
    assert BLOCK in message and "除名" in message
    case = HandlingCase.objects.get(member=removed)
    assert f"{case.rejoin_blocked_until:%Y-%m-%d}前" in message and case.letter_no in message
    _nothing_saved()


def test_the_block_holds_for_an_application_dated_inside_it_and_ends_on_its_date(removed, branch):
    case = HandlingCase.objects.get(member=removed)
    # move the block's end to yesterday: an application dated the day before is refused,
    # one dated on or after the end is accepted
    end = TODAY - datetime.timedelta(days=1)
    HandlingCase.objects.filter(pk=case.pk).update(rejoin_blocked_until=end)
    with pytest.raises(ValidationError) as exc:
        recruitment_services.create_file(
            _applicant(removed, branch, application_date=end - datetime.timedelta(days=1)), actor=system_actor("cli")
        )
    assert BLOCK in str(exc.value)
    _nothing_saved()
    f = recruitment_services.create_file(_applicant(removed, branch, application_date=end), actor=system_actor("cli"))
    assert f.status == "active" and f.steps.filter(code="apply").exists()


def test_advised_withdrawal_blocks_too_and_other_people_are_not_affected(branch, secretary, organiser):
    m = make_member(branch)
    case = services.open_case(m, kind=rules.ADVISED, source="manual", source_note="理想信念缺失", on=d(70), actor=secretary)
    walk(case, upto="decided", organiser=organiser, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        recruitment_services.create_file(_applicant(m, branch), actor=system_actor("cli"))
    assert "劝其退党" in str(exc.value) and BLOCK in str(exc.value)
    # someone else applies as usual
    f = recruitment_services.create_file(applicant_data(branch, application_date=TODAY), actor=system_actor("cli"))
    assert DevelopmentFile.objects.filter(pk=f.pk).exists()


def test_web_form_shows_the_reason_at_the_id_number(client, removed, branch, secretary):
    client.force_login(secretary)
    data = _applicant(removed, branch)
    form = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex", "application_date")}
    form.update(organisation=branch.pk, application_date=TODAY.isoformat(), ethnicity="汉族")
    r = client.post(reverse("recruitment:file_new"), form)
    assert r.status_code == 200
    assert BLOCK in r.content.decode()
    _nothing_saved()


def test_api_refuses_with_400_and_the_reason(removed, branch, secretary):
    api = APIClient()
    api.force_authenticate(secretary)
    data = _applicant(removed, branch)
    payload = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex", "application_date")}
    payload.update(organisation=branch.pk, application_date=TODAY.isoformat())
    r = api.post("/api/recruitment/files/", payload, format="json")
    assert r.status_code == 400
    assert BLOCK in r.json()["id_number"][0]
    _nothing_saved()
