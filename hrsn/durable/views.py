"""The admin's data page: the last verification and backup, and the buttons that run them."""
from hrsn.durable import bp
from hrsn.render import render


@bp.get("/")
def index():
    return render("durable/index.html")
