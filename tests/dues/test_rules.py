import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from apps.dues import rules
from apps.dues.rules import monthly_amount, quarter_average

D = Decimal
BOUNDARIES = [
    ("salaried", "0.00", "0.005", "0.00"),
    ("salaried", "3000.00", "0.005", "15.00"),
    ("salaried", "3000.01", "0.01", "30.00"),
    ("salaried", "5000.00", "0.01", "50.00"),
    ("salaried", "5000.01", "0.015", "75.00"),
    ("salaried", "10000.00", "0.015", "150.00"),
    ("salaried", "10000.01", "0.02", "200.00"),
    ("annual_salary", "10000.01", "0.02", "200.00"),
    ("self_employed", "3000.01", "0.01", "30.00"),
    ("retiree", "5000.00", "0.005", "25.00"),
    ("retiree", "5000.01", "0.01", "50.00"),
    ("retiree", "3000.01", "0.005", "15.00"),
]


@pytest.mark.parametrize(("category", "base", "rate", "amount"), BOUNDARIES)
def test_every_bracket_boundary(category, base, rate, amount):
    assert monthly_amount(category, D(base)) == (D(rate), D(amount))


def expected_rate(category, base):
    if category == "retiree":
        return D("0.005") if base <= D("5000.00") else D("0.01")
    if base <= D("3000.00"):
        return D("0.005")
    if base <= D("5000.00"):
        return D("0.01")
    if base <= D("10000.00"):
        return D("0.015")
    return D("0.02")


@given(
    category=st.sampled_from(["salaried", "annual_salary", "self_employed", "retiree"]),
    fen=st.integers(min_value=0, max_value=10_000_000),
)
def test_amount_is_base_times_bracket_rate_rounded(category, fen):
    base = D(fen) / 100
    rate, amount = monthly_amount(category, base)
    assert rate == expected_rate(category, base)
    assert amount == (base * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert amount.as_tuple().exponent == -2


def test_half_up_rounding():
    assert monthly_amount("salaried", "2999.00") == (D("0.005"), D("15.00"))  # 14.995 → 15.00
    assert monthly_amount("salaried", "3333.30")[1] == D("33.33")


@pytest.mark.parametrize("category", ["student", "unemployed", "relief", "dibao"])
def test_fixed_twenty_fen(category):
    assert monthly_amount(category, None) == (None, D("0.20"))
    with pytest.raises(ValidationError):
        monthly_amount(category, None, fixed_amount="0.50")


def test_farmer_fixed_amount_range():
    assert monthly_amount("farmer") == (None, D("0.50"))
    assert monthly_amount("farmer", fixed_amount="0.20") == (None, D("0.20"))
    assert monthly_amount("farmer", fixed_amount="1.00") == (None, D("1.00"))
    for bad in ("0.19", "1.01"):
        with pytest.raises(ValidationError) as exc:
            monthly_amount("farmer", fixed_amount=bad)
        assert "0.20～1.00" in exc.value.message_dict["fixed_amount"][0]


@pytest.mark.parametrize(
    ("base", "message"),
    [("-1", "不能为负数"), ("abc", "不是有效的数字"), ("1.001", "两位小数"), ("", "须申报缴纳基数"), ("NaN", "有效的数字")],
)
def test_bad_base_refused(base, message):
    with pytest.raises(ValidationError) as exc:
        monthly_amount("salaried", base)
    assert message in exc.value.message_dict["base"][0]


def test_unknown_category():
    with pytest.raises(ValidationError) as exc:
        monthly_amount("astronaut", "100")
    assert "党费类别“astronaut”无效" in exc.value.message_dict["category"][0]


def test_rule_before_regulation_refused():
    import datetime

    with pytest.raises(ValidationError):
        monthly_amount("salaried", "100", datetime.date(2000, 1, 1))


def test_quarter_average():
    assert quarter_average(["3000", "3000.01", "3000.01"]) == D("3000.01")
    with pytest.raises(ValidationError):
        quarter_average(["1", "2"])


def test_remittance_amount():
    assert rules.remittance_amount(D("12345.67")) == D("617.28")  # 617.2835


@pytest.mark.parametrize(("category", "base", "rate", "amount"), BOUNDARIES)
def test_cli_every_boundary(capsys, category, base, rate, amount):
    call_command("dues_calc", "--category", category, "--base", base, "--json")
    out = json.loads(capsys.readouterr().out)
    assert D(out["rate"]) == D(rate) and out["amount"] == amount and out["base"] == base
    call_command("dues_calc", "--category", category, "--base", base)
    text = capsys.readouterr().out
    assert f"每月应交：{amount}元" in text and rules.rate_label(D(rate)) in text


def test_cli_fixed(capsys):
    call_command("dues_calc", "--category", "farmer", "--fixed-amount", "0.80", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"category": "farmer", "category_label": "农民", "base": None, "rate": None, "rate_label": "定额", "amount": "0.80"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--category", "salaried", "--base", "-5"], "不能为负数"),
        (["--category", "salaried", "--base", "五千"], "不是有效的数字"),
        (["--category", "nobody", "--base", "100"], "党费类别“nobody”无效"),
        (["--category", "salaried"], "须申报缴纳基数"),
        (["--category", "salaried", "--base", "1", "--on", "2020-13-01"], "日期"),
    ],
)
def test_cli_bad_input(args, message):
    with pytest.raises(CommandError) as exc:
        call_command("dues_calc", *args)
    assert message in str(exc.value)


def test_cli_exit_status_non_zero():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "manage.py", "dues_calc", "--category", "salaried", "--base", "-1"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings.test"},
    )
    assert proc.returncode != 0 and "不能为负数" in proc.stderr
