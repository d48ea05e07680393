"""What a fresh install needs: every assessment compiles the decision diagram once (``dd``) and runs the
differential (``numpy``), so both are core dependencies, not extras (``./run`` installs the ``web`` extra
only)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _core() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in deps}


def test_the_diagram_and_the_differential_need_no_extra() -> None:
    assert {"numpy", "dd"} <= _core()


def test_a_fresh_cache_compiles_the_diagram_and_assesses(tmp_path: Path) -> None:
    """No cached table (a fresh machine): the first assessment compiles it with dd and answers."""
    code = ("from myoclass import assess\n"
            "a = assess({'case_id': 'x', 'ab_srp': True, 'ck_elevated': True})\n"
            "print(a['summary']['leading_label'])\n")
    env = {"MYOCLASS_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "imnm_anti_srp"
    assert list(tmp_path.rglob("diagram-table-*.npz"))
