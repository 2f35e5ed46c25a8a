"""Small corrections to Flask-AppBuilder 5.3 running on WTForms 3.3, applied once at start-up."""
import functools

from flask_appbuilder.fields import QuerySelectField

BLANK_CHOICE = "— Chưa chọn —"


def _label_the_blank_choice() -> None:
    """FAB's optional relation selects offer an empty choice with an empty label, and WTForms 3.3
    shows the value instead ("__None"): give that choice a Vietnamese label."""
    original = QuerySelectField.__init__
    if getattr(original, "_labels_blank_choice", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        if not kwargs.get("blank_text"):
            kwargs["blank_text"] = BLANK_CHOICE
        original(self, *args, **kwargs)

    init._labels_blank_choice = True
    QuerySelectField.__init__ = init


def apply() -> None:
    _label_the_blank_choice()
