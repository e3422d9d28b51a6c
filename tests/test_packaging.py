"""The wheel built from pyproject.toml holds every package and data file: installed in a fresh venv (its
dependencies borrowed from this environment), ``pufa --help`` and ``pufa db upgrade`` run from it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, check=False, **kwargs  # type: ignore[call-overload]
    )


def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path, REPO)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("pufa-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "bot/records/migrations/env.py",
        "bot/records/migrations/script.py.mako",
        "bot/records/migrations/versions/0001_outreach_log.py",
        "bot/telegram/handlers/answers.py",
        "knowledge/data/faq.toml",
        "prompts/bot.toml",
        "prompts/llm_system.txt",
    ):
        assert required in names, required

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    target = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # Dependencies come from this environment's site-packages (a plain path entry: its .pth files, among
    # them the editable install of this checkout, are not processed).
    (Path(target) / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PUFA_DATA_DIR": str(work / "data")}
    where = run(python, "-c", "import bot, knowledge; print(bot.__file__, knowledge.__file__)", cwd=work, env=env)
    assert str(REPO) not in where.stdout and str(env_dir) in where.stdout, where.stdout + where.stderr
    helped = run(env_dir / "bin" / "pufa", "--help", cwd=work, env=env)
    assert helped.returncode == 0 and helped.stdout.startswith("用法：pufa"), helped.stderr
    upgraded = run(env_dir / "bin" / "pufa", "db", "upgrade", cwd=work, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (work / "data" / "pufa.sqlite3").is_file()
