from django.urls import reverse

from apps.accounts.models import User
from tests.factories import make_member


def test_admin_pages_read_only_and_masked(client, tree):
    m = make_member(tree["branches"][0][0])
    admin = User.objects.create_superuser("op", password="Dangjian#2026x", must_change_password=False)
    client.force_login(admin)
    html = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert m.name in html and m.id_number_masked in html and m.reveal_id_number() not in html
    r = client.get(reverse("admin:members_member_change", args=[m.pk]))
    assert r.status_code == 200 and m.reveal_id_number() not in r.content.decode() and m.id_number_enc not in r.content.decode()
    assert client.get(reverse("admin:members_member_add")).status_code == 403
    assert client.get(reverse("admin:orgs_organisation_changelist")).status_code == 200
    assert client.get(reverse("admin:orgs_organisation_change", args=[tree["county"].pk])).status_code == 200
    assert client.get(reverse("admin:orgs_committeemember_changelist")).status_code == 200
    assert client.get(reverse("admin:members_memberstatuschange_changelist")).status_code == 200
