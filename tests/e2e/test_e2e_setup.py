"""Without Chromium the browser suite skips locally but fails in CI, so CI never passes silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def run_login_test_without_chromium(tmp_path, ci: bool) -> subprocess.CompletedProcess:
    """Run one browser test in a fresh pytest with a PATH on which there is no chromium."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path)  # sys.executable is absolute; nothing else is needed
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         str(HERE / "test_e2e_auth.py") + "::test_login_page_is_accessible_and_dutch"],
        capture_output=True, text=True, env=env, cwd=HERE.parents[1], timeout=300,
    )


def test_without_chromium_the_browser_tests_skip_locally(tmp_path):
    done = run_login_test_without_chromium(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert "chromium is not installed" in done.stdout


def test_without_chromium_the_browser_tests_fail_in_ci(tmp_path):
    done = run_login_test_without_chromium(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout
    assert "CI is set, so this is an error, not a skip" in done.stdout
