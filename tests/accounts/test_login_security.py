import datetime
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts import services
from apps.accounts.models import User
from apps.core.actors import system_actor
from apps.core.models import AccessLog
from tests.factories import make_user

SYS = system_actor("cli")

PASSWORD = "Dangjian#2026x"


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9", **extra)


@pytest.fixture
def secretary(tree):
    return make_user("branch_secretary", tree["branches"][0][0], username="sec_a")


def test_argon2_is_the_configured_hasher(settings):
    from dangjian.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


CHINESE_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "apps.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab#12345", "至少需要 10 个字符"),
        ("password1234", "太常见"),
        ("zhangsanfeng2026", "太相似"),
    ],
)
def test_password_policy_in_chinese(db, settings, password, expected):
    settings.AUTH_PASSWORD_VALIDATORS = CHINESE_VALIDATORS
    user = User(username="zhangsanfeng2026x", display_name="张三丰")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_password(password, user=user)
        messages = list(exc.value.messages)
    assert any(expected in m for m in messages), messages


def test_good_password_passes(db):
    validate_password("Hongqi#Piao-2026", user=User(username="lisi"))


def test_django_messages_are_translated_to_chinese():
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        assert "常见" in gettext("This password is too common.")
        assert "相似" in gettext("The password is too similar to the %(verbose_name)s.")
        assert "数字" in gettext("This password is entirely numeric.")


def test_configured_minimum_length_is_ten(settings):
    lengths = [v.get("OPTIONS", {}).get("min_length") for v in settings.AUTH_PASSWORD_VALIDATORS if "MinimumLength" in v["NAME"]]
    assert lengths == [10]


def test_login_ok_and_logout_are_logged(client, secretary):
    response = login(client, "sec_a")
    assert response.status_code == 302
    entry = AccessLog.objects.get(kind=AccessLog.Kind.LOGIN_OK)
    assert entry.user == secretary and entry.ip == "10.0.0.9"
    assert entry.org_path == secretary.role_assignments.get().organisation.path
    client.post(reverse("accounts:logout"))
    assert AccessLog.objects.filter(kind=AccessLog.Kind.LOGOUT, user=secretary).exists()


def test_failed_login_is_logged_and_shows_chinese_error(client, secretary):
    response = login(client, "sec_a", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    entry = AccessLog.objects.get(kind=AccessLog.Kind.LOGIN_FAILED)
    assert entry.username == "sec_a" and entry.ip == "10.0.0.9"


def test_lockout_after_five_failures_for_fifteen_minutes(client, secretary, settings):
    for _ in range(4):
        assert login(client, "sec_a", "wrong-password").status_code == 200
    response = login(client, "sec_a", "wrong-password")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    # Now even the right password is refused.
    response = login(client, "sec_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessLog.objects.filter(kind=AccessLog.Kind.LOCKED_OUT, username="sec_a").exists()
    assert AccessLog.objects.filter(kind=AccessLog.Kind.LOGIN_FAILED).count() >= 5
    assert settings.AXES_COOLOFF_TIME * 60 == 15


def test_lockout_ends_after_cooloff(client, secretary):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "sec_a", "wrong-password")
    assert login(client, "sec_a").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert login(client, "sec_a").status_code == 302


def test_lockout_template_through_callable(client, secretary, settings):
    settings.AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
    for _ in range(5):
        response = login(client, "sec_a", "wrong-password")
    assert response.status_code == 429 and "锁定15分钟" in response.content.decode()


def test_idle_session_over_thirty_minutes_is_logged_out(client, secretary, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    login(client, "sec_a")
    assert client.get(reverse("core:home")).status_code == 200
    # An active request slides the expiry forward …
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # … and 31 idle minutes later the session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_first_login_forces_password_change_outside_demo(client, tree, settings):
    settings.DEMO_MODE = False
    services.create_user("newsec", "Hongqi#Piao-2026", role="branch_secretary", org=tree["branches"][0][0], actor=SYS)
    login(client, "newsec", "Hongqi#Piao-2026")
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Hongqi#Piao-2026", "new_password1": "Changed#Pass-2027", "new_password2": "Changed#Pass-2027"},
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    user = User.objects.get(username="newsec")
    assert not user.must_change_password and user.password_changed_at is not None
    assert AccessLog.objects.filter(kind=AccessLog.Kind.PASSWORD_CHANGED, user=user).exists()


def test_new_password_must_follow_policy(client, tree):
    services.create_user("newsec", "Hongqi#Piao-2026", role="branch_secretary", org=tree["branches"][0][0], actor=SYS)
    login(client, "newsec", "Hongqi#Piao-2026")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Hongqi#Piao-2026", "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200 and "10" in response.content.decode()
    assert User.objects.get(username="newsec").must_change_password


def test_demo_mode_still_forces_change_of_new_accounts(client, tree, settings):
    """Under `make run` (dev settings, DEMO_MODE) an account created on the users page
    must change its password like anywhere else: every page but logout, the password
    form and static files sends it to the password form."""
    settings.DEMO_MODE = True
    services.create_user("newsec", "Hongqi#Piao-2026", role="branch_secretary", org=tree["branches"][0][0], actor=SYS)
    login(client, "newsec", "Hongqi#Piao-2026")
    for url in (reverse("core:home"), reverse("accounts:users"), reverse("accounts:account"), reverse("accounts:changelog"), "/orgs/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change"), url
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_demo_accounts_are_exempt_by_their_flag(client, tree, settings):
    """The demo logins printed by `make run` work at once: the demo county creates them
    unflagged in DEMO_MODE (not a settings-wide exemption)."""
    import random

    from apps.accounts import demo
    from tests.factories import make_member

    settings.DEMO_MODE = True
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][1][0])
    demo.populate(tree["county"], random.Random(1), timezone.localdate())
    account = demo.DEMO_ACCOUNTS[0]
    assert login(client, account.username, account.password).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_deactivation_takes_effect_on_next_request(client, secretary, tree):
    login(client, "sec_a")
    assert client.get(reverse("core:home")).status_code == 200
    admin = make_user("county_admin", tree["county"])
    services.deactivate_user(secretary, actor=admin)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_ending_role_takes_effect_on_next_request(client, tree):
    from apps.members.models import Member
    from tests.factories import make_member

    branch = tree["branches"][0][0]
    make_member(branch)
    user = make_user(username="sec_b")
    assignment = services.grant_role(user, "branch_secretary", branch, actor=SYS)
    client.force_login(user)
    from apps.core.scoping import restrict

    assert client.get(reverse("core:home")).status_code == 200
    assert restrict(Member.objects.all(), user).count() == 1
    services.revoke_role(assignment, actor=SYS)
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 403
    fresh = User.objects.get(pk=user.pk)
    assert restrict(Member.objects.all(), fresh).count() == 0


def test_expired_role_no_longer_applies(tree):
    from apps.core.scoping import user_scope

    user = make_user(username="sec_c")
    services.grant_role(user, "branch_secretary", tree["branches"][0][0], valid_to=timezone.localdate(), actor=SYS)
    assert user_scope(User.objects.get(pk=user.pk)).paths
    from apps.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=user).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    assert user_scope(User.objects.get(pk=user.pk)).empty


def test_a_get_does_not_write_the_session_within_the_refresh_interval(client, secretary, settings):
    """No UPDATE of the session row on every request (issue 13); the expiry still slides
    forward once the refresh interval has passed."""
    login(client, "sec_a")
    client.get(reverse("core:home"))
    key = client.session.session_key
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:home")).status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []
    # Past the interval the next request saves the session with a new expiry.
    old_expiry = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=old_expiry)
    session = client.session
    session["_refreshed"] = int(time.time()) - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    Session.objects.filter(pk=key).update(expire_date=old_expiry)
    assert client.get(reverse("core:home")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + datetime.timedelta(minutes=29)
