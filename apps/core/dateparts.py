"""The month, quarter and year of a DATE column as SQL the database runs natively.

Django's ExtractMonth/ExtractQuarter/ExtractYear on SQLite call a Python function for
every row (django_date_extract): over a year of a county's meetings that alone was most
of a statistics query. These compile to strftime() on SQLite and EXTRACT on PostgreSQL.
For DateField columns only: a DateTimeField is stored in UTC, and its month in the
product's time zone is not what strftime would read."""

from django.db.models import Func, IntegerField


class _DatePart(Func):
    # strftime's % is doubled twice: once for the template, once more because the SQL
    # keeps %% for a literal % until the backend substitutes its parameters
    output_field = IntegerField()
    arity = 1
    sqlite_template = ""
    postgres_field = ""

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"EXTRACT({self.postgres_field} FROM %(expressions)s)::integer", **extra)


class MonthOf(_DatePart):
    """1–12."""

    sqlite_template = "CAST(strftime('%%%%m', %(expressions)s) AS INTEGER)"
    postgres_field = "MONTH"


class QuarterOf(_DatePart):
    """1–4."""

    sqlite_template = "((CAST(strftime('%%%%m', %(expressions)s) AS INTEGER) + 2) / 3)"
    postgres_field = "QUARTER"


class YearOf(_DatePart):
    sqlite_template = "CAST(strftime('%%%%Y', %(expressions)s) AS INTEGER)"
    postgres_field = "YEAR"
