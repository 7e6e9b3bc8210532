"""No secrets in the repository: every tracked file is scanned for keys and set tokens."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import REPO

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}"),
    # An admin token or API key given a value in a file meant to be committed (.env, docs).
    "set admin token": re.compile(
        r"^\s*(?:export\s+)?PAPI_ADMIN_TOKEN\s*=\s*['\"]?[^\s'\"$<{]{8,}", re.M
    ),
    "set LLM key": re.compile(
        r"^\s*(?:export\s+)?PAPI_LLM__API_KEY\s*=\s*['\"]?[^\s'\"$<{]{8,}", re.M
    ),
}


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout")
    return [name for name in out.decode().split("\0") if name]


def test_no_secrets_in_tracked_files() -> None:
    found = []
    files = _tracked_files()
    assert files
    for name in files:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 5 * 2**20:
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for label, pattern in PATTERNS.items():
            if pattern.search(text):
                found.append(f"{name}: {label}")
    assert not found, found
    assert not any(name.endswith((".env", ".pem", ".key")) for name in files)
