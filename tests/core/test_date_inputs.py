"""Issue 12 item 14: a date input (<input type="date">) only accepts an ISO value; the
zh-hans locale's first input format rendered value="2026/12/04", which the browser drops,
so step forms opened empty. Every date input renders ISO dates (formats in dangjian/formats)
while the typed forms 2026/12/04 and 2026年12月4日 are still read."""

import datetime
import re

from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import make_user
from tests.recruitment.helpers import new_file


def test_a_date_input_renders_an_iso_value_in_chinese():
    with translation.override("zh-hans"):
        html = forms.DateInput(attrs={"type": "date"}).render("d", datetime.date(2026, 12, 4))
        field = forms.DateField()
        assert field.clean("2026/12/04") == field.clean("2026-12-04") == datetime.date(2026, 12, 4)
    assert 'value="2026-12-04"' in html


def test_development_step_form_opens_with_the_date_filled_in(client, tree):
    branch = tree["branches"][0][0]
    client.force_login(make_user("branch_secretary", branch))
    f = new_file(branch)
    html = client.get(reverse("recruitment:step_take", args=[f.pk, "talk"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    values = re.findall(r'<input type="date" name="date" value="([^"]*)"', html)
    assert values == [timezone.localdate().isoformat()]
