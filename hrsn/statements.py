"""Statements built once. A statement built again on every request cost more to build, and to find in
SQLAlchemy's cache of compiled statements (its key is worked out by walking the whole statement), than SQLite
takes to answer it: 0.2 to 1 ms each, a page of thirty statements 5 to 10 ms. One built once keeps its key.

`built_once` builds a query once per combination of its arguments, which say its shape (a kind of user, a step of
the setting that adds a condition); what changes from one request to the next is a bound parameter: given when it
runs (`bindparam("member_id")` and the value in the execute call), or computed then (`value`, `access.viewer`).
`kept` keeps what is made from such a statement (its first lines, its page, its count) as long as it is the same
object. `unindexed` marks a column a statement tests on the rows it walks in another order."""
from collections import OrderedDict
from functools import lru_cache
from threading import Lock

from sqlalchemy import bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

_made: OrderedDict = OrderedDict()
_making = Lock()            # the server's threads share what is kept
KEPT = 512


def built_once(build):
    """Decorator: the query `build(*shape)` returns, built once per shape."""
    return lru_cache(maxsize=32)(build)


def kept(key, sources, make):
    """What `make()` builds from `sources` (statements), kept while they are the same objects (held here, so that
    no other object can take their identity); the least recently asked are forgotten past KEPT."""
    with _making:
        found = _made.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], sources)):
            _made.move_to_end(key)
            return found[1]
    made = make()
    with _making:
        _made[key] = (sources, made)
        while len(_made) > KEPT:
            _made.popitem(last=False)
    return made


def value(compute):
    """A value of the request (a day, a setting), computed when the statement runs."""
    return bindparam("value", callable_=compute, unique=True)


class unindexed(FunctionElement):
    """A column to test on the rows a statement walks in another index's order, never to look rows up by its own
    index. SQLite has no statistics to tell that a condition holds for most rows (the closed referrals of ten
    years): it would find every row that way first, then sort them all for a page of 25. A unary plus keeps it
    from choosing that index; PostgreSQL plans by its statistics and gets the column as it is."""
    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)
