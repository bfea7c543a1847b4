import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.accounts.models import ApiToken

MUST_CHANGE = "首次登录须先在网页上修改初始密码，然后才能使用接口"
INVALID = "接口令牌无效或已撤销，请重新获取令牌（POST /api/auth/token/）"
EXPIRED = "接口令牌已过期，请重新获取令牌（POST /api/auth/token/）"
INACTIVE = "账号已停用"
# last_used_at is written at most this often per token (not a write on every call).
TOUCH_EVERY = datetime.timedelta(minutes=1)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against apps.accounts.models.ApiToken (the key's
    SHA-256). Refused with 401: an unknown or revoked key, an expired token, an inactive
    user. An account that still has to change its initial password gets 403."""

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = self.token_with_assignments(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(EXPIRED)
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        if user.must_change_password:
            raise exceptions.PermissionDenied(MUST_CHANGE)
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    @staticmethod
    def token_with_assignments(key):
        """The token, its user and the user's current role assignments in one query (one
        row per assignment, LEFT JOINed so that a user without any still has the token's
        row); the assignments are left on the user where apps.accounts.scoping looks for
        them, so resolving the scope costs no second query. None for an unknown key."""
        db = router.db_for_read(ApiToken)
        connection = connections[db]
        query = _token_query(connection)
        with connection.cursor() as cursor:
            cursor.execute(query.sql, query.params(ApiToken.digest(key), timezone.localdate(), connection))
            rows = [query.convert(row, connection) for row in cursor.fetchall()]
        if not rows:
            return None
        first = rows[0]
        token = ApiToken.from_db(db, query.token_fields, first[: query.user_at])
        token.user = get_user_model().from_db(db, query.user_fields, first[query.user_at : query.assignment_at])
        token.user._dangjian_assignments = [tuple(row[query.assignment_at :]) for row in rows if row[query.assignment_at] is not None]
        return token


_DIGEST_MARK = "token-query-digest-mark"
_DATE_MARK = datetime.date(1901, 2, 3)


@dataclass(frozen=True)
class _TokenQuery:
    """The token query's SQL, compiled once per database connection by the ORM
    (so its columns follow the models); compiling it on every request cost about as much
    as the rest of the authentication (the FilteredRelation join is slow to build)."""

    sql: str
    marks: tuple  # per parameter: "digest", "date" or the constant value
    token_fields: tuple[str, ...]
    user_fields: tuple[str, ...]
    user_at: int
    assignment_at: int
    converters: dict  # the ORM's converters of the columns (SQLite: datetimes, booleans)

    def params(self, digest, today, connection):
        day = connection.ops.adapt_datefield_value(today)
        return [digest if m == "digest" else day if m == "date" else m[1] for m in self.marks]

    def convert(self, row, connection) -> list:
        row = list(row)
        for pos, (functions, expression) in self.converters.items():
            for function in functions:
                row[pos] = function(row[pos], expression, connection)
        return row


def _token_query(connection) -> _TokenQuery:
    """Kept on the connection object (one per thread and database alias)."""
    query = getattr(connection, "_dangjian_token_query", None)
    if query is not None:
        return query
    User = get_user_model()
    current = Q(
        user__role_assignments__revoked_at__isnull=True,
        user__role_assignments__valid_from__lte=_DATE_MARK,
    ) & (Q(user__role_assignments__valid_to__isnull=True) | Q(user__role_assignments__valid_to__gte=_DATE_MARK))
    token_fields = tuple(f.attname for f in ApiToken._meta.concrete_fields)
    user_fields = tuple(f.attname for f in User._meta.concrete_fields)
    qs = (
        ApiToken.objects.filter(key_hash=_DIGEST_MARK)
        .annotate(current_assignment=FilteredRelation("user__role_assignments", condition=current))
        .values_list(
            *token_fields,
            *(f"user__{name}" for name in user_fields),
            "current_assignment__role",
            "current_assignment__organisation__path",
            "current_assignment__organisation__status",
        )
        .order_by()
    )
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    date_values = (_DATE_MARK, connection.ops.adapt_datefield_value(_DATE_MARK))
    marks = tuple("digest" if p == _DIGEST_MARK else "date" if p in date_values else ("value", p) for p in params)
    if marks.count("digest") != 1 or marks.count("date") != 2:  # pragma: no cover - a Django change would show here
        raise RuntimeError(f"unexpected parameters of the token query: {params!r}")
    query = _TokenQuery(sql, marks, token_fields, user_fields, len(token_fields), len(token_fields) + len(user_fields), converters)
    connection._dangjian_token_query = query
    return query
