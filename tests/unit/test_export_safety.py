"""``hk export`` on hostile input: text a spreadsheet would run as a formula, and report names that are paths."""
from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.reports import export as x
from services.reports.catalog import Filters


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_quoted(text):
    assert x.cell(text) == "'" + text
    assert x.cell(text, raw=True) == text


@pytest.mark.parametrize("value, written", [
    (Decimal("-12.50"), "-12.50"), (-3, "-3"), (-0.5, "-0.5"), (date(2025, 6, 1), "2025-06-01"),
    ("Gritzo", "Gritzo"), ("a=b", "a=b"), ("", ""), (None, ""),
])
def test_numbers_dates_and_plain_text_are_written_as_they_are(value, written):
    assert x.cell(value) == written


class _Result(list):
    def keys(self):
        return ["name", "delta"]


class _Engine:
    @contextmanager
    def connect(self):
        yield None


def test_write_csv_quotes_formulas_unless_raw(monkeypatch):
    monkeypatch.setattr(x, "run", lambda conn, name, filters: _Result([("=cmd|' /C calc'!A0", Decimal("-12.50"))]))
    safe, raw = io.StringIO(), io.StringIO()
    assert x.write_csv(_Engine(), "influencers", Filters(), safe) == 1
    x.write_csv(_Engine(), "influencers", Filters(), raw, raw=True)
    assert safe.getvalue() == "name,delta\n'=cmd|' /C calc'!A0,-12.50\n"
    assert raw.getvalue() == "name,delta\n=cmd|' /C calc'!A0,-12.50\n"


@pytest.mark.parametrize("names", [["../x"], ["kpis", "../x"], ["{tmp}/x"], ["all", "kpis"]])
def test_an_unknown_report_name_is_refused_before_any_file_is_made(tmp_path: Path, names):
    names = [n.format(tmp=tmp_path) for n in names]
    (tmp_path / "out").mkdir()
    for output in (tmp_path / "out", tmp_path / "out" / "one.csv"):
        with pytest.raises(SystemExit, match="hk export --list"):
            x.export(None, names, Filters(), str(output))  # the engine is never reached
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["out"]


def test_a_filter_a_report_does_not_take_is_refused_before_the_file_is_created(tmp_path):
    from services.reports.catalog import FilterError
    out = tmp_path / "kpis.csv"
    with pytest.raises(FilterError, match="does not take"):
        x.export(None, ["kpis"], Filters(window=7), str(out))
    assert not out.exists()
