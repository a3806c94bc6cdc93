"""Pages of a list: Flask-SQLAlchemy's pagination of a select, with its count sent only when the rows alone cannot
tell it. A page that is not full ends the list, so the rows before it and on it are all there is; most tabs show a
member's few records on one such page and need no COUNT at all."""
from flask_sqlalchemy.pagination import SelectPagination

from hrsn.extensions import db


class Page(SelectPagination):
    def _query_count(self) -> int:
        if self.items and len(self.items) < self.per_page or not self.items and self.page == 1:
            return (self.page - 1) * self.per_page + len(self.items)
        return super()._query_count()


def paginate(select, *, page: int, per_page: int) -> Page:
    """`per_page` rows of `select` from page `page` (a page past the end is empty, never a 404), and the total."""
    return Page(select=select, session=db.session(), page=page, per_page=per_page, max_per_page=None,
                error_out=False)
