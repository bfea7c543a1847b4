"""Issue 12 item 19: the change history (/accounts/changelog/, record pages) shows labels,
never internal codes: a change request's 原值/申请改为 (junior_or_below → bachelor), a
development file's 下一步 (assessment → target_filed) and a step's record
({'decided_by': 'committee'}) read as people write them — with names for member ids —
in a fixed number of queries."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.history import attach_readable
from apps.core.models import ChangeLog
from apps.members import services as member_services
from tests.factories import make_member, make_user
from tests.recruitment.helpers import before_step, new_file

CODES = ("junior_or_below", "bachelor", "target_filed", "political_review", "decided_by", "committee", "talker_role", "secretary", "{'")


def _history(branch, applicants=1):
    for n in range(applicants):
        before_step(new_file(branch, name=f"林明{'夏秋冬春'[n % 4]}"), "political_review")
    asker = make_member(branch, education="junior_or_below")
    member_services.update_member_self(
        asker, {"education": "bachelor", "reason": "取得本科学历"}, actor=make_user("member", branch, member=asker)
    )


def _shown(entries):
    return [(row["label"], row["before"], row["after"]) for e in attach_readable(entries) for row in e.readable]


def test_codes_are_shown_as_labels(tree):
    branch = tree["branches"][0][0]
    _history(branch)
    rows = _shown(ChangeLog.objects.all())
    text = repr(rows)
    for code in CODES:
        assert code not in text, code
    assert ("原值", "—", "初中及以下") in rows and ("申请改为", "—", "大学本科") in rows
    next_steps = [r for r in rows if r[0] == "下一步" and r[2] != "—"]
    assert next_steps and all(re.search(r"[\u4e00-\u9fff]", r[2]) for r in next_steps)
    records = [r[2] for r in rows if r[0] == "步骤记录" and r[2] != "—"]
    assert "决定机构：支部委员会" in records
    assert any("谈话人身份：书记" in r and "谈话人：王书记" in r for r in records)
    assert any(r.startswith("入党介绍人（2名正式党员）：") and re.search(r"[\u4e00-\u9fff]", r.split("：", 1)[1]) for r in records)


def test_changelog_page_shows_labels_in_a_fixed_number_of_queries(client, tree):
    branch = tree["branches"][0][0]
    client.force_login(make_user("county_admin", tree["county"]))
    url = reverse("accounts:changelog")

    def page():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        return html, len(ctx.captured_queries)

    _history(branch)
    html, few = page()
    assert "初中及以下" in html and "决定机构：支部委员会" in html
    for code in ("junior_or_below", "target_filed", "{&#x27;decided_by"):
        assert code not in html, code
    _history(branch, applicants=3)
    _html, more = page()
    assert more == few
