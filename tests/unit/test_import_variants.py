"""The corpus of variant file sets (tests/fixtures/import_variants, shaped after the sets teams published when
they built the old dashboard): each one's dry-run summary is the one in its summary.txt, and nothing is sent.
Regenerate a summary after a deliberate change with HK_WRITE_SUMMARIES=1, then read the diff."""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from services import cli
from services.common.settings import get_settings

VARIANTS = Path(__file__).parents[1] / "fixtures" / "import_variants"
NAMES = sorted(p.name for p in VARIANTS.iterdir() if p.is_dir())


def dry_run(variant: str, report: Path, capsys, monkeypatch) -> tuple[str, int]:
    monkeypatch.chdir(VARIANTS / variant)
    monkeypatch.setenv("HK_KAFKA_BOOTSTRAP", "127.0.0.1:9")  # nothing listens: a dry run must not need Kafka
    get_settings.cache_clear()
    args = (VARIANTS / variant / "args.txt").read_text().split("\n")
    try:
        cli.main(["import", "--dry-run", "--no-progress", "--report", str(report), *filter(None, args)])
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        get_settings.cache_clear()
    return "\n".join(line for line in capsys.readouterr().err.splitlines() if not line.startswith("wrote ")) + "\n", code


def test_the_corpus_covers_every_variant_the_issue_names():
    assert len(NAMES) >= 8


@pytest.mark.parametrize("variant", NAMES)
def test_each_variant_dry_runs_to_its_expected_summary(variant, tmp_path, capsys, monkeypatch):
    summary, code = dry_run(variant, tmp_path, capsys, monkeypatch)
    expected = VARIANTS / variant / "summary.txt"
    if os.environ.get("HK_WRITE_SUMMARIES"):
        expected.write_text(summary)
    assert summary == expected.read_text()
    total = summary.splitlines()[-1]
    bad, warnings = (int(re.search(rf"(\d+) {what}", total).group(1)) for what in ("bad row", "warning"))
    assert code == (1 if bad else 0) and total.endswith("dry run: nothing sent")
    findings = list(csv.DictReader((tmp_path / "findings.csv").open()))
    assert len(findings) == bad + warnings and all(f["file"] and f["line"] and f["message"] for f in findings)


def test_the_summary_shown_in_the_docs_is_the_one_the_importer_prints():
    shown = (Path(__file__).parents[2] / "docs" / "reporting.md").read_text()
    assert (VARIANTS / "duplicates-outliers" / "summary.txt").read_text() in shown
