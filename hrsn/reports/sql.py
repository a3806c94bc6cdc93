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
    """The median of `value` per group of `keys` over a subquery, in SQL. The rows are first counted per group
    and value (a few hundred lines for thousands of rows: days take few values), then each value's place in its
    group is the running sum of those counts, and the median is the value at the middle place (or the mean of
    the two middle ones). Sorting the counted values rather than every row halves the ten-year funnel's time."""
    group = [values.c[k] for k in keys]
    counted = (sa.select(*group, values.c[value].label("v"), sa.func.count().label("n"))
               .where(values.c[value].is_not(None)).group_by(*group, values.c[value]).subquery())
    cgroup = [counted.c[k] for k in keys]
    whole = lambda total: sa.cast(total, sa.Integer)  # noqa: E731 (PostgreSQL sums counts as numeric)
    placed = sa.select(*cgroup, counted.c.v, counted.c.n,
                       whole(sa.func.sum(counted.c.n).over(partition_by=cgroup, order_by=counted.c.v,
                                                            rows=(None, 0))).label("upto"),
                       whole(sa.func.sum(counted.c.n).over(partition_by=cgroup)).label("total")).subquery()
    pgroup = [placed.c[k] for k in keys]

    def holds(place):          # the value whose rows take up that place (1-based) in its group
        return sa.and_(placed.c.upto - placed.c.n < place, placed.c.upto >= place)
    middle = sa.or_(holds((placed.c.total + 1) // 2), holds((placed.c.total + 2) // 2))
    return (sa.select(*pgroup, sa.func.avg(placed.c.v * 1.0).label("median"))
            .where(middle).group_by(*pgroup).subquery())
