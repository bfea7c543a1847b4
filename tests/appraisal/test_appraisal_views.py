import datetime

import pytest
from django.test import Client
from django.urls import reverse

from apps.appraisal import rules, services
from apps.appraisal.models import Appraisee, BranchAppraisal, Campaign, HandlingCase, RatingTally, VoteCast
from tests.appraisal.conftest import SYS, branch_proc, phase_dates, to_phase
from tests.factories import make_member, make_user


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_organiser_opens_a_campaign_from_the_form(organiser, committee, members):
    c = login(organiser)
    assert c.get(reverse("appraisal:campaign_new")).status_code == 200
    body = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in phase_dates().items()}
    r = c.post(
        reverse("appraisal:campaign_new"),
        {**body, "organisation": committee.pk, "cap_numerator": 1, "cap_denominator": 3, "rating_weight": 70},
    )
    campaign = Campaign.objects.get()
    assert r.status_code == 302 and r.url == reverse("appraisal:campaign", args=[campaign.pk])
    page = c.get(r.url)
    assert page.status_code == 200 and "个人自评" in page.content.decode()
    assert campaign.branches.count() == 2


def test_bad_campaign_form_names_the_rule(organiser, committee, members):
    body = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in phase_dates().items()}
    body["feedback_by"] = "2025-01-01"
    r = login(organiser).post(
        reverse("appraisal:campaign_new"),
        {**body, "organisation": committee.pk, "cap_numerator": 1, "cap_denominator": 3, "rating_weight": 70},
    )
    assert r.status_code == 200 and "结果反馈截止不能早于组织评定截止" in r.content.decode()
    assert not Campaign.objects.exists()


def test_secretary_cannot_open_the_campaign_form(secretary):
    assert login(secretary).get(reverse("appraisal:campaign_new")).status_code == 404


def test_member_self_assessment_and_ballot_on_the_phone(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "self")
    me = members[0]
    c = login(me.user)
    page = c.get(reverse("appraisal:my"))
    assert "提交自评" in page.content.decode()
    own = Appraisee.objects.get(branch=ba, member=me)
    r = c.post(reverse("appraisal:self_assess", args=[own.pk]), {"text": "一年来按时参加组织生活"})
    assert r.status_code == 302
    assert Appraisee.objects.get(pk=own.pk).self_submitted_on is not None
    # another member's self-assessment is not mine to write
    other = Appraisee.objects.get(branch=ba, member=members[1])
    assert c.post(reverse("appraisal:self_assess", args=[other.pk]), {"text": "代写"}).status_code == 404
    ba = to_phase(ba, "rating")
    page = c.get(reverse("appraisal:ballot", args=[own.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "无记名投票" in html and me.name not in html.split("<legend>", 1)[1]
    body = {f"g_{a.pk}": rules.QUALIFIED for a in ba.appraisees.exclude(member=me)}
    r = c.post(reverse("appraisal:ballot", args=[own.pk]), body)
    assert r.status_code == 302
    assert VoteCast.objects.filter(branch=ba, voter=me).exists()
    # again: refused with the rule, nothing added
    votes = sum(RatingTally.objects.values_list("votes", flat=True))
    r = c.post(reverse("appraisal:ballot", args=[own.pk]), body)
    assert r.status_code == 200 and "已参加本次民主测评" in r.content.decode()
    assert sum(RatingTally.objects.values_list("votes", flat=True)) == votes


def test_secretary_walks_the_branch_procedure(campaign, branch, members, secretary):
    ba = branch_proc(campaign, branch)
    c = login(secretary)
    assert c.get(reverse("appraisal:branch", args=[ba.pk])).status_code == 200
    c.post(reverse("appraisal:branch_report", args=[ba.pk]), {"report": "述职要点", "report_on": "2025-11-05"})
    c.post(reverse("appraisal:branch_advance", args=[ba.pk]))
    a = ba.appraisees.first()
    c.post(reverse("appraisal:peer_opinion", args=[a.pk]), {"text": "群众评价好"})
    assert Appraisee.objects.get(pk=a.pk).peer_opinion == "群众评价好"
    c.post(reverse("appraisal:branch_advance", args=[ba.pk]))
    c.post(reverse("appraisal:branch_advance", args=[ba.pk]))
    assert BranchAppraisal.objects.get(pk=ba.pk).phase == "proposal"
    page = c.get(reverse("appraisal:branch", args=[ba.pk]))
    assert "组织评定" in page.content.decode()
    body = {f"g_{x.pk}": rules.QUALIFIED for x in ba.appraisees.all()}
    c.post(reverse("appraisal:branch_propose", args=[ba.pk]), {**body, "meeting_date": "2025-12-15"})
    c.post(reverse("appraisal:branch_feedback", args=[ba.pk]), {"on": "2025-12-20"})
    assert BranchAppraisal.objects.get(pk=ba.pk).phase == "done"
    r = c.get(reverse("appraisal:results") + f"?year=2025&org={branch.pk}")
    assert r.status_code == 200 and "合格" in r.content.decode()
    assert "优秀占 0%" in r.content.decode()  # one share, not the fraction and the percent (0（0%）)


def test_other_branch_gets_404_everywhere(campaign, branch, members, outsider):
    ba = to_phase(branch_proc(campaign, branch), "rating")
    a = ba.appraisees.first()
    case = services.open_case(members[0], kind=rules.CORRECTION, source="manual", source_note="长期不参加组织生活", actor=SYS)
    c = login(outsider)
    for url in (
        reverse("appraisal:branch", args=[ba.pk]),
        reverse("appraisal:case", args=[case.pk]),
        reverse("appraisal:ballot", args=[a.pk]),
        reverse("appraisal:campaign", args=[campaign.pk]),
    ):
        assert c.get(url).status_code == 404, url
    for url, body in (
        (reverse("appraisal:branch_advance", args=[ba.pk]), {}),
        (reverse("appraisal:peer_opinion", args=[a.pk]), {"text": "x"}),
        (reverse("appraisal:case_step", args=[case.pk]), {"step": "filed", "filed_on": "2025-12-01"}),
        (reverse("appraisal:suspend", args=[members[1].pk]), {"on": "2025-12-01"}),
    ):
        assert c.post(url, body).status_code == 404, url
    assert BranchAppraisal.objects.get(pk=ba.pk).phase == "rating"
    assert HandlingCase.objects.get(pk=case.pk).step == ""
    listing = c.get(reverse("appraisal:cases")).content.decode()
    assert members[0].name not in listing


@pytest.mark.parametrize("url_name", ["appraisal:campaigns", "appraisal:cases", "appraisal:lost_contact", "appraisal:results"])
def test_list_queries_do_not_grow_with_rows(url_name, tree, django_assert_max_num_queries):
    """The same number of queries with 2 and with 30 rows of each kind."""
    admin = make_user("county_admin", tree["county"])
    c = login(admin)
    counts = []
    for n in (2, 30):
        year = 2020 + n // 10
        for b in [x for row in tree["branches"] for x in row]:
            for _ in range(n // 4):
                m = make_member(b)
                if n > 2:
                    services.open_case(m, kind=rules.REMOVAL, source="manual", source_note="测试", actor=SYS)
        services.open_campaign(tree["county"], phase_dates(year), actor=SYS)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse(url_name) + f"?year={year}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_branch_page_queries_fixed(campaign, branch, members, secretary, django_assert_max_num_queries):
    ba = to_phase(branch_proc(campaign, branch), "proposal")
    c = login(secretary)
    with django_assert_max_num_queries(40):
        assert c.get(reverse("appraisal:branch", args=[ba.pk])).status_code == 200


def test_a_secretary_finds_the_branch_procedure_on_the_campaigns_page(campaign, branch, secretary, outsider):
    """The campaign is opened above the branch (outside the secretary's scope): the page
    lists the branch's own procedure instead, and not another branch's."""
    ba = branch_proc(campaign, branch)
    page = login(secretary).get(reverse("appraisal:campaigns")).content.decode()
    assert reverse("appraisal:branch", args=[ba.pk]) in page and "本支部的民主评议" in page
    other = login(outsider).get(reverse("appraisal:campaigns")).content.decode()
    assert reverse("appraisal:branch", args=[ba.pk]) not in other


def test_date_inputs_carry_a_value_the_browser_accepts():
    from django.utils import timezone

    from apps.appraisal import forms

    assert f'value="{timezone.localdate():%Y-%m-%d}"' in str(forms.ReportForm()["report_on"])
