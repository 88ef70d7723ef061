"""The built wheel carries grammar/ and stdlib/ and works from outside the source tree."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_wheel_installs_into_a_fresh_venv_and_checks_an_example(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = dist.glob("flowlang-*.whl")
    env_dir = tmp_path / "venv"
    # the fresh venv sees the already-installed dependencies, so the test needs no network: those of the base
    # Python and those of this interpreter's environment (a .pth line adds a directory without running the
    # .pth files in it, so the editable install of the source tree stays out)
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    (purelib,) = env_dir.glob("lib/python*/site-packages")
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, text=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    for name in ("p21_to_magento.flow", "systems.flow"):
        shutil.copy(ROOT / "examples" / name, work / name)
    shutil.copytree(ROOT / "examples" / "samples", work / "samples")
    shutil.copytree(ROOT / "examples" / "specs", work / "specs")
    probe = subprocess.run(
        [str(python), "-c", "import flowlang, flowlang.grammar, flowlang.stdlib; print(flowlang.__file__)"],
        cwd=work, capture_output=True, text=True, check=True,
    )
    assert str(env_dir) in probe.stdout, "flowlang must be imported from the installed wheel"
    result = subprocess.run(
        [str(env_dir / "bin" / "flowlang"), "check", "p21_to_magento.flow"],
        cwd=work, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stderr
    # the installed wheel also runs and compiles flows (interpreter, runtime, codegen templates)
    (work / "hello.flow").write_text(
        'flow hello {\n  total = sum(map([1, 2, 3], x => x * 2))\n  log info "total {total}"\n'
        "  return {total: total, upper: upper(\"ok\")}\n}\n",
        encoding="utf-8",
    )
    ran = subprocess.run(
        [str(env_dir / "bin" / "flowlang"), "run", "hello.flow", "--state", str(tmp_path / "s.db")],
        cwd=work, capture_output=True, text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"total": 12, "upper": "OK"}
    compiled = subprocess.run(
        [str(env_dir / "bin" / "flowlang"), "compile", "hello.flow", "-o", "hello.py"],
        cwd=work, capture_output=True, text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    module = subprocess.run(
        [str(python), "hello.py", "--state", str(tmp_path / "c.db")], cwd=work, capture_output=True, text=True
    )
    assert module.returncode == 0, module.stderr
    assert json.loads(module.stdout) == {"total": 12, "upper": "OK"}
