"""Finding the four tables under the names teams give them (issue 15, "find the files"): ``tracking_data.csv``
is the tracking table, any table can be named outright, every CSV not read is listed, and an import that reads
no order from a tracking file is an error, not a success."""
from pathlib import Path

import pytest

from services import cli
from services.common.settings import Settings
from services.importer import run
from services.importer.files import find

from .kafka_stand_in import _Producer

TRACKING_HEADER = "source,campaign,influencer_id,user_id,product,brand,date,orders,revenue\n"


def files(directory: Path, *names: str) -> Path:
    for name in names:
        (directory / name).write_text(TRACKING_HEADER if name.startswith("tracking") else "x\n")
    return directory


def test_a_table_is_found_by_its_name_or_a_name_that_starts_with_it_and_the_rest_is_listed(tmp_path):
    found = find(files(tmp_path, "influencers.csv", "posts.csv", "tracking_data.csv", "payouts.csv", "notes.csv",
                       "Tracking_Backup.txt"))
    assert {t: p.name for t, p in found.paths.items()} == {
        "influencers.csv": "influencers.csv", "payouts.csv": "payouts.csv", "posts.csv": "posts.csv",
        "tracking.csv": "tracking_data.csv"}
    assert [p.name for p in found.unread] == ["notes.csv"]


def test_the_exact_name_wins_over_longer_ones_and_two_candidates_are_an_error(tmp_path):
    found = find(files(tmp_path, "tracking.csv", "tracking_data.csv"))
    assert found.paths["tracking.csv"].name == "tracking.csv" and [p.name for p in found.unread] == ["tracking_data.csv"]
    other = tmp_path / "two"
    other.mkdir()
    with pytest.raises(SystemExit, match="tracking_2024.csv, tracking_data.csv could each be the tracking table"):
        find(files(other, "tracking_data.csv", "tracking_2024.csv"))


def test_a_table_named_outright_is_read_whatever_its_name(tmp_path):
    files(tmp_path, "tracking.csv", "orders export.csv")
    found = find(tmp_path, {"tracking.csv": tmp_path / "orders export.csv"})
    assert found.paths["tracking.csv"].name == "orders export.csv" and [p.name for p in found.unread] == ["tracking.csv"]
    with pytest.raises(SystemExit, match="no such file"):
        find(None, {"posts.csv": tmp_path / "missing.csv"})


def test_tracking_data_csv_is_imported_and_its_rows_are_reported_by_their_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "KafkaProducer", _Producer)
    (tmp_path / "tracking_data.csv").write_text(TRACKING_HEADER + "Instagram,c,7,42,Whey,MuscleBlaze,2025-06-01,2,200\n"
                                                 "Instagram,c,7,42,Whey,MuscleBlaze,2025-06-01,1,abc\n")
    (tmp_path / "readme.csv").write_text("a,b\n")
    outcome = run.import_dir(Settings(), tmp_path, progress=False)
    assert (outcome.orders, outcome.read["tracking.csv"].name, [p.name for p in outcome.unread]) == (2, "tracking_data.csv", ["readme.csv"])
    assert outcome.bad == ["tracking_data.csv:3: revenue: 'abc' is not a decimal amount"]


def test_an_import_that_reads_no_order_from_a_tracking_file_fails(tmp_path, monkeypatch, capsys):
    # one published set "succeeded" with exit 0 and zero orders
    monkeypatch.setattr(run, "KafkaProducer", _Producer)
    (tmp_path / "tracking_data.csv").write_text(TRACKING_HEADER + "Instagram,c,7,42,Whey,MuscleBlaze,2025-06-01,1,abc\n")
    with pytest.raises(SystemExit, match="no order was read from .*tracking_data.csv"):
        cli.main(["import", str(tmp_path), "--no-progress"])
    assert "read " in capsys.readouterr().err
