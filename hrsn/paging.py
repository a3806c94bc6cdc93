"""Pages of a list: Flask-SQLAlchemy's pagination of a select, with its count sent only when the rows alone cannot
tell it. A page that is not full ends the list, so the rows before it and on it are all there is; most tabs show a
member's few records on one such page and need no COUNT at all."""
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import bindparam, func, select

from hrsn.extensions import db
from hrsn.statements import kept


def count_of(query):
    """How many rows a SELECT gives, as a scalar subquery (its order dropped)."""
    return select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()


def count_rows(query) -> int:
    """How many rows a SELECT gives, asked of the database."""
    return db.session.scalar(select(count_of(query))) or 0


class Page(SelectPagination):
    """Flask-SQLAlchemy's page, counted from its rows when they tell the total, or given the total. A query built
    once (hrsn.statements) comes with its `values`: its page and its count are then statements kept with it, the
    page's bounds bound when it runs."""

    def _query_items(self) -> list:
        query, values = self._query_args["select"], self._query_args.get("values")
        if values is None:
            return super()._query_items()
        paged = kept(("page", id(query)), (query,),
                     lambda: query.limit(bindparam("page_limit")).offset(bindparam("page_offset")))
        return list(db.session.execute(paged, {**values, "page_limit": self.per_page,
                                               "page_offset": self._query_offset}).unique().scalars())

    def _query_count(self) -> int:
        if self._query_args.get("total") is not None:
            return self._query_args["total"]
        if self.items and len(self.items) < self.per_page or not self.items and self.page == 1:
            return (self.page - 1) * self.per_page + len(self.items)
        query, values = self._query_args["select"], self._query_args.get("values")
        if self._query_args.get("counted") is not None:
            return db.session.scalar(self._query_args["counted"], values or {}) or 0
        if values is None:
            return super()._query_count()
        return db.session.scalar(kept(("count", id(query)), (query,), lambda: select(count_of(query))), values) or 0


def paginate(query, *, page: int, per_page: int, total: int | None = None, values: dict | None = None,
             counted=None) -> Page:
    """`per_page` rows of `query` from page `page` (a page past the end is empty, never a 404), and the total
    (`total` when the caller counted them already; `counted`: a statement that counts the same rows faster than
    the query counted as it is); `values`: the bound parameters of a query built once."""
    return Page(select=query, session=db.session(), page=page, per_page=per_page, max_per_page=None,
                error_out=False, total=total, values=values, counted=counted)


def paginate_by_id(ids, lines, *, page: int, per_page: int, total: int | None = None,
                   values: dict | None = None) -> Page:
    """The same page found in two steps: the ids of its rows from `ids`, a query of the ids alone, filtered and
    ordered (narrow rows for the database to sort), then those rows from `lines`, a query of the records with what
    they show, for the ids bound as "ids" (expanding). A long list whose lines join several tables sorts its ids,
    not the joined lines. Both built once (`values`: the first's bound parameters)."""
    found = paginate(ids, page=page, per_page=per_page, total=total, values=values)
    if found.items:
        rows = {row.id: row for row in db.session.scalars(lines, {"ids": found.items})}
        found.items = [rows[row_id] for row_id in found.items]
    return found
