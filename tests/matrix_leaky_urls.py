"""Deliberately unscoped views: tests/test_access_matrix.py proves it reports them."""

from django.http import HttpResponse
from django.urls import include, path

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.members.models import Member


def member(request, member_pk):
    return HttpResponse(Member.objects.get(pk=member_pk).name)


def members(request):
    return HttpResponse(", ".join(Member.objects.values_list("name", flat=True)))


def members_by_org(request):
    org = request.GET.get("org", "")
    members = Member.objects.filter(organisation_id=int(org)) if org.isdigit() else Member.objects.none()
    return HttpResponse(", ".join(members.values_list("name", flat=True)))


def member_write(request, member_pk):
    m = Member.objects.get(pk=member_pk)
    if request.method == "POST":
        before = snapshot(m)
        m.remarks = "改"
        m.save(update_fields=["remarks"])
        record_change(m, ChangeLog.Action.UPDATE, before=before)
    return HttpResponse("ok")


def member_write_checked(request, member_pk):
    """Validates its form first and never checks scope: an EMPTY POST is refused (400), so
    only a valid body shows the hole."""
    if request.method == "POST":
        if not request.POST.get("remarks"):
            return HttpResponse("备注为必填项", status=400)
        m = Member.objects.get(pk=member_pk)
        before = snapshot(m)
        m.remarks = request.POST["remarks"]
        m.save(update_fields=["remarks"])
        record_change(m, ChangeLog.Action.UPDATE, before=before)
    return HttpResponse("ok")


def member_phone(request, member_pk):
    return HttpResponse(Member.objects.get(pk=member_pk).reveal_phone())


leaky = (
    [
        path("m/<int:member_pk>/", member, name="member"),
        path("m/", members, name="members"),
        path("by-org/", members_by_org, name="members_by_org"),
        path("m/<int:member_pk>/write/", member_write, name="member_write"),
        path("m/<int:member_pk>/write-checked/", member_write_checked, name="member_write_checked"),
        path("m/<int:member_pk>/phone/", member_phone, name="member_phone"),
    ],
    "leaky",
)
urlpatterns = [path("leaky/", include(leaky))]
