"""SQL pieces the reports share, written once for SQLite and PostgreSQL: a day's month, days between two days,
and a median computed in the database."""
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class month_of(FunctionElement):
    """'YYYY-MM' of a date or timestamp."""
    type = sa.String()
    inherit_cache = True


@compiles(month_of)
def _month_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s)" % compiler.process(element.clauses, **kw)


@compiles(month_of, "postgresql")
def _month_pg(element, compiler, **kw):
    return "to_char(%s, 'YYYY-MM')" % compiler.process(element.clauses, **kw)


class days_between(FunctionElement):
    """Whole days from the first date (or timestamp) to the second."""
    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    # A day's number: its Julian day begins at noon, so half a day more, truncated, numbers each calendar day once
    # whether it is given as a date or a timestamp (and reads each value once: date() then julianday() read twice).
    first, second = list(element.clauses)
    return "(CAST(julianday(%s) + 0.5 AS INTEGER) - CAST(julianday(%s) + 0.5 AS INTEGER))" % (
        compiler.process(second, **kw), compiler.process(first, **kw))


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    first, second = list(element.clauses)
    return "(CAST(%s AS DATE) - CAST(%s AS DATE))" % (compiler.process(second, **kw), compiler.process(first, **kw))


def medians(values, keys: list[str], value: str = "days"):
    """The median of `value` per group of `keys` over a subquery, in SQL: the middle row (or the mean of the two
    middle rows) of each group ordered by the value, found with window functions."""
    group = [values.c[k] for k in keys]
    ranked = sa.select(*group, values.c[value],
                       sa.func.row_number().over(partition_by=group, order_by=values.c[value]).label("rn"),
                       sa.func.count().over(partition_by=group).label("n")
                       ).where(values.c[value].is_not(None)).subquery()
    middle = sa.or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    rgroup = [ranked.c[k] for k in keys]
    return (sa.select(*rgroup, sa.func.avg(ranked.c[value] * 1.0).label("median"))
            .where(middle).group_by(*rgroup).subquery())
