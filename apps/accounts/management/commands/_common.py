"""Shared by the accounts management commands: look-ups with Chinese errors, the
optional acting user (--as), and printing a ValidationError."""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from apps.accounts.models import User
from apps.core.actors import as_user, system_actor
from apps.core.context import acting_as
from apps.core.scoping import ScopeError
from apps.orgs.models import Organisation


def add_as_argument(parser):
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份操作（检查其用户管理范围）；默认为运维人员")


def get_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"账号“{username}”不存在")


def get_org(code: str) -> Organisation:
    try:
        return Organisation.objects.get(code=code)
    except Organisation.DoesNotExist:
        raise CommandError(f"组织代码“{code}”不存在")


def parse_date(value: str | None, label: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{label}“{value}”不是有效日期（格式：YYYY-MM-DD）")


@contextmanager
def acting(as_username: str | None):
    """Run as the given user (scope-checked) or as the system actor (the operator without --as); errors become CommandError."""
    actor = get_user(as_username) if as_username else system_actor("cli")
    try:
        with acting_as(as_user(actor), source="cli"):
            yield actor
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            text = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
        else:
            text = "；".join(exc.messages)
        raise CommandError(text)
    except ScopeError as exc:
        raise CommandError(exc.message)
