"""Text of earlier migrations, for a migration that changes one of their SQL functions: it takes the function as
written there and edits it, so the change reads as a diff and the downgrade restores the original exactly."""
from __future__ import annotations

import re
from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"


def function(file: str, name: str) -> str:
    """One CREATE [OR REPLACE] FUNCTION statement of an earlier migration's SQL file, as CREATE OR REPLACE."""
    found = re.search(rf"CREATE (?:OR REPLACE )?FUNCTION {name}\(.*?\$\$;", (VERSIONS / file).read_text(), re.S)
    assert found is not None, f"{file} creates no function {name}"  # as edited() checks its text is there
    return "CREATE OR REPLACE FUNCTION" + found.group(0).split("FUNCTION", 1)[1]


def edited(body: str, edits: dict[str, str], count: int = 1) -> str:
    """``body`` with each key replaced by its value; each key must occur ``count`` times (a migration that edited
    text no longer there would otherwise do nothing)."""
    for before, after in edits.items():
        assert body.count(before) == count, before
        body = body.replace(before, after)
    return body
