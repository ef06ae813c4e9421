"""The README's commands and code, run as written (so they cannot rot)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_exactly_two_setup_commands_and_ci_runs_the_test_command() -> None:
    setup = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.DOTALL)
    assert len(commands) == 2
    install, tests = commands
    assert "pip install torch==2.13.0" in install and install.index("torch==2.13.0") < install.index("pip install -e")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for part in tests.split("&&")[1:]:
        assert part.strip() in ci


def test_main_job_command_runs_on_the_shipped_example(tmp_path: Path) -> None:
    install = re.findall(r"```bash\n(.*?)\n```", README, flags=re.DOTALL)[0]
    job = install.split("&&")[-1].strip()
    assert job.startswith("tomtat summarize examples/")
    tomtat = Path(sys.executable).with_name("tomtat")
    result = subprocess.run([str(tomtat), *job.split()[1:]], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    headline, *rest = result.stdout.splitlines()
    assert headline and any(line.startswith("- ") for line in rest)
    assert "Minh Khoa" not in result.stdout and "Trang chủ" not in result.stdout


def test_python_example_runs() -> None:
    namespace: dict = {}
    exec(fenced("python")[0], namespace)
    assert namespace["summary"].bullets
