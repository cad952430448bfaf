"""Refresh the README's screenshots from a run of the browser suite.

The suite (``tests/e2e``) saves every main page at desktop and phone width in
``artifacts/screenshots/``; this script runs it and copies the set the README
shows into ``docs/screenshots/``. Run it from the repository root after a change
to the pages, then commit the images:

    .venv/bin/python tools/update_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "artifacts" / "screenshots"
TARGET = ROOT / "docs" / "screenshots"

#: The screenshots the README shows (names without ``.png``).
README_SET = (
    "login-desktop",
    "start-support-desktop",
    "trajectory-desktop",
    "trajectory-phone",
    "observation-template-desktop",
    "observation-template-phone",
    "reflection-conflict-desktop",
    "goal-desktop",
    "coordinator-overview-desktop",
    "admin-plugins-desktop",
)


def main() -> int:
    """Run the browser suite, then copy the README's screenshots; return an exit status."""
    status = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/e2e"], cwd=ROOT
                            ).returncode
    if status != 0:
        print("The browser suite failed; docs/screenshots/ was left as it was.", file=sys.stderr)
        return status
    missing = [name for name in README_SET if not (SOURCE / f"{name}.png").exists()]
    if missing:
        print(f"The suite saved no screenshot for: {', '.join(missing)}", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in README_SET:
        shutil.copyfile(SOURCE / f"{name}.png", TARGET / f"{name}.png")
    print(f"Copied {len(README_SET)} screenshots to {TARGET.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
