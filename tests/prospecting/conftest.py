"""Helpers for the prospecting tests: lead-list files written for real, and a snapshot of the database."""

import csv
import io

import pytest


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, name=..., encoding=..., delimiter=...) -> path of a real CSV file."""

    def write(rows, name="leads.csv", encoding="utf-8", delimiter=","):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path = tmp_path / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return write


@pytest.fixture
def snapshot(db):
    """snapshot() -> every row of the tables an import writes, to compare before and after."""
    from touchbase.crm.models import Company, Person
    from touchbase.prospecting.models import CompanyFit, Qualifier

    def take():
        return {
            model.__name__: list(model.objects.order_by("pk").values_list())
            for model in (Company, Person, CompanyFit, Qualifier)
        }

    return take
