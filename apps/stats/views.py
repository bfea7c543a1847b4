"""党内统计 dashboard and its Excel export. Thin: parse the organisation and the as-of
date, scope them with the one scoping mechanism, call the selectors."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from apps.accounts.scoping import get_in_scope, visible_orgs
from apps.core import registry
from apps.core.models import AccessLog
from apps.core.xlsx import XLSX_CONTENT_TYPE, Money, write_table
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgFilterForm

from .selectors import child_rows, flat_rows, party_statistics


class BadParameter(ValueError):
    pass


EARLIEST_AS_OF = datetime.date(1921, 7, 1)


def parse_as_of(value: str | None) -> datetime.date:
    """The statistics reference date: today by default, never in the future."""
    today = timezone.localdate()
    if not value:
        return today
    try:
        as_of = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise BadParameter(f"统计基准日“{value}”格式不正确，应为 YYYY-MM-DD")
    if as_of > today:
        raise BadParameter("统计基准日不能晚于今天")
    if as_of < EARLIEST_AS_OF:
        raise BadParameter(f"统计基准日不能早于 {EARLIEST_AS_OF:%Y-%m-%d}（中国共产党成立）")
    return as_of


def resolve_org(user, org_id) -> Organisation:
    """The organisation asked for, if the user may view it (404 otherwise); without one,
    the top organisation of the user's scope."""
    if org_id not in (None, ""):
        return get_in_scope(Organisation.objects.all(), user, "view", pk=org_id)
    org = visible_orgs(user, "view").order_by("depth", "path").first()
    if org is None:
        raise Http404("您没有可统计的党组织")
    return org


def chart_data(stats: dict) -> dict:
    m, o = stats["members"], stats["organisations"]

    def series(items):
        return {"labels": [i["label"] for i in items], "values": [i["count"] for i in items]}

    return {
        "age": series(m["age_bands"]),
        "education": series(m["education"]),
        "occupation": series(m["occupation"]),
        "org_types": series(o["by_level"]),
    }


def children_chart(children: list[dict], as_of: datetime.date) -> dict:
    """Members per organisation one level below, each bar opening that organisation's
    statistics on the same reference date (the drill-down of static/js/chart-drill.js)."""
    link = reverse("stats:dashboard")
    day = as_of.isoformat()
    return {
        "labels": [c["org"].short_name or c["org"].name for c in children],
        "values": [c["members"] for c in children],
        "urls": [f"{link}?{urlencode({'org': c['org'].pk, 'as_of': day})}" for c in children],
    }


def extension_cards(stats: dict) -> list[tuple]:
    """Headline cards of the sections the apps contribute (apps.core.registry.stats)."""
    cards = []
    for section in registry.stats:
        if section.cards is not None and section.name in stats:
            cards += section.cards(stats)
    return cards


@login_required
def dashboard(request):
    if not request.GET.get("org") and not visible_orgs(request.user, "view").exists():
        # e.g. a member's own account: nothing to count, say so instead of a bare 404
        return render(request, "stats/no_scope.html", status=200)
    filter_form = OrgFilterForm(request.GET, user=request.user)
    chosen = filter_form.chosen()  # an id outside scope: 404
    org = chosen or resolve_org(request.user, None)
    if chosen is None and not filter_form.errors:  # show the organisation counted
        filter_form = OrgFilterForm(None, user=request.user, initial={"org": org.pk})
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except BadParameter as exc:
        messages.error(request, str(exc))
        as_of = timezone.localdate()
    stats = party_statistics(org, as_of)
    children = child_rows(org)
    charts = chart_data(stats)
    charts["children"] = children_chart(children, as_of)
    m = stats["members"]
    cards = [
        ("党组织数", stats["organisations"]["total"], "个", None),
        ("党员总数", m["total"], "名", None),
        ("女党员", m["women"]["count"], "名", m["women"]["percent"]),
        ("少数民族", m["minority"]["count"], "名", m["minority"]["percent"]),
        ("35岁及以下", m["aged_35_or_under"]["count"], "名", m["aged_35_or_under"]["percent"]),
        ("高中及以上", m["high_school_or_above"]["count"], "名", m["high_school_or_above"]["percent"]),
        ("大专及以上", m["college_or_above"]["count"], "名", m["college_or_above"]["percent"]),
        ("农村党员", m["rural"]["count"], "名", m["rural"]["percent"]),
    ]
    cards += extension_cards(stats)
    return render(
        request,
        "stats/dashboard.html",
        {
            "org": org,
            "as_of": as_of,
            "stats": stats,
            "cards": cards,
            "children": children,
            "filter_form": filter_form,
            "charts": charts,
            "rows": flat_rows(stats),
        },
    )


def _money_row(row):
    """An amount in yuan (its item says 元) is exported as a number with two decimals."""
    section, item, value, percent = row
    if "元" in item and value not in ("", None):
        value = Money(value)
    return section, item, value, percent


@login_required
def export(request):
    org = resolve_org(request.user, request.GET.get("org"))
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except BadParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    stats = party_statistics(org, as_of)
    rows = [_money_row(r) for r in flat_rows(stats)]
    out = write_table("党内统计", ["分类", "项目", "数量", "占比(%)"], rows, widths=[22, 28, 12, 10])
    AccessLog.record(
        AccessLog.Kind.EXPORT, user=request.user, target=f"党内统计 {org.name}", org_path=org.path, as_of=as_of.isoformat(), rows=len(rows)
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"党内统计-{org.code}-{as_of:%Y%m%d}.xlsx")
    return response
