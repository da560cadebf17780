"""The project's egg for Scrapyd nodes, built by scrapyd-client, and its version.

Scrapyd runs a deployed egg with the packages of its own environment, so a node has
newscrawl's dependencies installed (`pip install 'newscrawl[scrapyd]'`) and the egg brings
the code of this checkout. The egg is built by scrapyd-client exactly as `scrapyd-deploy`
builds it (`setup.py bdist_egg`; the repository's setup.py defers to pyproject.toml, whose
`scrapy` entry point names the settings module Scrapyd loads).

The version is the package version plus the git commit when known, the commit's time first:
`0.1.0+20250612.083000.g1a2b3c4` (`.dirty` for uncommitted changes). Scrapyd stores it as
`0_1_0_20250612_083000_g1a2b3c4` and runs the last of its versions in sorted order, which is
then the newest commit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import crawler


class DeployError(Exception):
    """The egg could not be built; the message is one line."""


def project_root() -> Path:
    """The checkout this code runs from (it holds scrapy.cfg and pyproject.toml)."""
    root = Path(crawler.__file__).resolve().parent.parent
    if not ((root / "scrapy.cfg").is_file() and (root / "pyproject.toml").is_file()):
        raise DeployError(f"no project checkout at {root} (scrapy.cfg and pyproject.toml): "
                          "deploy from a git clone installed with `pip install -e`")
    return root


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def egg_version(root: Path) -> str:
    """The package version, plus the commit's time and hash when `root` is a git checkout."""
    base = metadata.version("newscrawl")
    head = _git(root, "log", "-1", "--format=%ct %h")
    if not head:
        return base
    stamp, commit = head.split()
    when = datetime.fromtimestamp(int(stamp), UTC).strftime("%Y%m%d.%H%M%S")
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return f"{base}+{when}.g{commit}" + (".dirty" if dirty else "")


def build_egg(root: Path) -> bytes:
    """The project's egg, built by scrapyd-client (needs the `scrapyd` extra)."""
    try:
        from scrapyd_client.deploy import _build_egg
    except ImportError:
        raise DeployError("building the egg needs scrapyd-client: "
                          "pip install 'newscrawl[scrapyd]'") from None
    cwd = os.getcwd()
    tmpdir = None
    os.chdir(root)  # scrapyd-client builds from the closest scrapy.cfg
    try:
        egg_path, tmpdir = _build_egg(argparse.Namespace(include_dependencies=False,
                                                         debug=False))
        return Path(egg_path).read_bytes()
    except (subprocess.CalledProcessError, OSError, IndexError) as exc:
        raise DeployError(f"building the egg in {root} failed ({exc}); "
                          "`scrapyd-deploy --build-egg x.egg -d` there shows why") from None
    finally:
        os.chdir(cwd)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
