"""Everything the repository cites is in the repository (users and CI have no research folders)."""

from __future__ import annotations

import re
import subprocess

from tests.support.procs import REPO

# Built from parts so that this file does not match its own patterns.
_UP = r"\.\./"
OUTSIDE = re.compile(
    "|".join(
        [
            _UP + "shared",  # the research folder next to a developer's clone
            _UP + "ctgov-",  # the recorded-responses and API-spec folders
            r"(?<![\w./-])shared/(?:research|data)/",  # the same, cited without the ../
        ]
    )
)
IN_REPO_DOC = re.compile(r"docs/(?:research|ctgov-api)/[\w.-]+\.(?:md|yaml)")


def _tracked_text_files() -> dict[str, str]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.split(b"\0")
    texts = {}
    for name in filter(None, names):
        path = REPO / name.decode()
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        texts[name.decode()] = data.decode("utf-8", errors="replace")
    return texts


def test_no_tracked_file_cites_a_path_outside_the_repository() -> None:
    """No tracked text file names a research folder beside the clone (absent for users and CI)."""
    texts = _tracked_text_files()
    assert "README.md" in texts  # the scan really saw the repository
    assert len(texts) > 100
    offenders = [
        f"{name}:{n}: {line.strip()}"
        for name, text in texts.items()
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_cited_research_notes_and_spec_exist_in_the_repository() -> None:
    """Every docs/research or docs/ctgov-api file a tracked file cites exists in the repository."""
    cited = {m for text in _tracked_text_files().values() for m in IN_REPO_DOC.findall(text)}
    assert "docs/research/celery-redis-reliability.md" in cited  # cited by celery_app, security.md
    assert "docs/ctgov-api/ctg-oas-v2.0.5.yaml" in cited
    missing = sorted(path for path in cited if not (REPO / path).is_file())
    assert missing == []
