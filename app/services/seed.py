"""Loading the catalogues shipped in app/data (idempotent: rows are matched by name)."""
from __future__ import annotations

import csv
import os

from ..extensions import db
from ..models import Field, Source, Unit

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")
CENTRE_UNIT_NAME = "Trung tâm Giám sát, điều hành đô thị thông minh"


def read_rows(name: str) -> list[dict[str, str]]:
    with open(os.path.join(DATA_DIR, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _upsert(model, name: str, **values):
    row = db.session.query(model).filter_by(name=name).one_or_none()
    if row is None:
        row = model(name=name, **values)
        db.session.add(row)
    return row


def seed_catalogues() -> dict[str, int]:
    units_csv = read_rows("units.csv")
    units = {}
    for row in units_csv:
        unit = _upsert(Unit, row["name"], kind=row["kind"], login_method=row["login"], active=True)
        units[row["name"]] = unit
    db.session.flush()
    for row in units_csv:
        if row["parent"] and units[row["name"]].parent_id is None:
            units[row["name"]].parent = units[row["parent"]]
    sources = [
        _upsert(Source, row["name"], channel=row["channel"], active=True)
        for row in read_rows("sources.csv")
    ]
    fields = []
    for row in read_rows("fields.csv"):
        default_unit = db.session.query(Unit).filter_by(name=row["default_unit"]).one_or_none()
        fields.append(
            _upsert(
                Field,
                row["name"],
                default_unit=default_unit,
                handling_days=int(row["handling_working_days"]),
                active=True,
            )
        )
    db.session.commit()
    return {"units": len(units), "sources": len(sources), "fields": len(fields)}
