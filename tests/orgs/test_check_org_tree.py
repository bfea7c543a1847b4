import pytest
from django.core.management import CommandError, call_command

from apps.members.models import Member
from apps.orgs.models import Organisation
from tests.factories import make_member, make_org


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("check_org_tree", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_clean_tree_passes(tree):
    make_member(tree["branches"][0][0])
    make_org(tree["branches"][0][0], org_type="party_group")
    out, err = run()
    assert err is None and "未发现问题" in out and "[问题]" not in out


def test_reports_drift_paths_dissolved_and_types(tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    Organisation.objects.filter(pk=branch.pk).update(direct_member_count=5)
    Member.objects.filter(pk=m.pk).update(org_path="9999")
    other = tree["branches"][1][0]
    make_member(other)
    Organisation.objects.filter(pk=other.pk).update(status="dissolved")
    group = make_org(tree["branches"][1][1], org_type="party_group")
    Organisation.objects.filter(pk=tree["branches"][1][1].pk).update(org_type="party_group")
    out, err = run()
    assert err and "问题" in err
    assert "直属党员数与党员表不一致" in out and "记录 5 名，实际 1 名" in out
    assert "党员的组织路径（org_path）与所属组织不一致：1 项" in out
    assert "已撤销的组织仍有在册党员" in out
    assert "党小组" in out and group.name in out


def test_fix_counts(tree):
    branch = tree["branches"][0][0]
    make_member(branch)
    Organisation.objects.filter(pk=branch.pk).update(direct_member_count=0)
    out, err = run("--fix-counts")
    assert err is None and "已修正" in out
    branch.refresh_from_db()
    assert branch.direct_member_count == 1
    out, err = run()
    assert err is None


@pytest.mark.parametrize("field", ["depth", "numchild"])
def test_treebeard_problems_reported(tree, field):
    Organisation.objects.filter(pk=tree["committees"][0].pk).update(**{field: 9})
    out, err = run()
    assert err and "树结构" in out and "测试第1镇党委" in out


def test_reports_drift_of_every_declared_path_copy(tree):
    """Path copies are found from the models (PATH_COPIES), not from a hand-made list: a
    drifted development file or dues declaration is reported under its own table."""
    from apps.core import paths
    from apps.recruitment.models import DevelopmentFile
    from tests.recruitment.helpers import new_file

    declared = {(m._meta.label, f) for m, f, src in paths.path_copies() if src}
    assert {("members.Member", "org_path"), ("recruitment.DevelopmentFile", "org_path"), ("dues.DuesLine", "org_path")} <= declared
    f = new_file(tree["branches"][0][0])
    DevelopmentFile.objects.filter(pk=f.pk).update(org_path="9999")
    out, err = run()
    assert "问题" in err
    assert "发展档案的组织路径（org_path）与所属组织不一致：1 项" in out
