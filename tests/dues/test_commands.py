import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.dues.models import DuesLine
from tests.dues.conftest import salaried
from tests.factories import make_user


def test_dues_generate_is_idempotent(capsys, branch):
    salaried(branch, "4000", month="2020-01")
    month = f"{timezone.localdate():%Y-%m}"
    call_command("dues_generate", "--org", branch.code, "--month", month)
    assert "新增1条" in capsys.readouterr().out
    call_command("dues_generate", "--org", branch.code, "--month", month)
    assert "新增0条，已存在1条" in capsys.readouterr().out
    assert DuesLine.objects.count() == 1
    assert ChangeLog.objects.filter(object_type="dues.ledgermonth", source="cli").count() == 2


@pytest.mark.parametrize(("args", "message"), [(["--org", "NOPE", "--month", "2026-01"], "不存在"), (["--month", "2026-99"], "有效的年月")])
def test_dues_generate_bad_input(branch, args, message):
    if "--org" not in args:
        args = ["--org", branch.code, *args]
    with pytest.raises(CommandError) as exc:
        call_command("dues_generate", *args)
    assert message in str(exc.value)


def test_dues_generate_user_scope(branch, other_branch):
    user = make_user("branch_secretary", other_branch)
    with pytest.raises(CommandError) as exc:
        call_command("dues_generate", "--org", branch.code, "--month", "2026-01", "--user", user.username)
    assert "不在您的管理范围内" in str(exc.value)


def test_dues_arrears_command_opens_cases_once(capsys, branch):

    from apps.dues import months as mo
    from apps.dues import services
    from apps.dues.models import ArrearsCase

    salaried(branch, "4000", month="2020-01")
    current = timezone.localdate().replace(day=1)
    for i in range(1, 7):
        services.generate_month(branch, mo.shift(current, -i), open_cases=False, actor=system_actor("cli"))
    call_command("dues_arrears")
    assert "新开启处置1件" in capsys.readouterr().out
    call_command("dues_arrears", "--org", branch.code)
    assert "6个月以上1人；新开启处置0件" in capsys.readouterr().out
    assert ArrearsCase.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("dues_arrears", "--org", "NOPE")
