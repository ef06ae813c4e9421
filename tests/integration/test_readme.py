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
    shown = README.split(f"What `{job}` prints", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert result.stdout.strip() == shown.strip()  # the README shows what it really prints


def test_python_example_runs() -> None:
    namespace: dict = {}
    exec(fenced("python")[0], namespace)
    assert namespace["summary"].bullets


def test_the_test_command_says_why_tests_were_skipped() -> None:
    setup = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    tests = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.DOTALL)[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    pytest_calls = [line for line in ci.splitlines() if line.strip().startswith("python -m pytest")]
    assert "python -m pytest -q -rs" in tests and pytest_calls and all("-rs" in c.split() for c in pytest_calls)
    assert "apt-get install -y chromium" in setup  # how to get the browser the page tests need


def test_digest_example_runs_as_shown() -> None:
    example = README.split("### Digest command line", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, *shown = example.splitlines()
    assert command.startswith("$ tomtat digest examples/")
    tomtat = Path(sys.executable).with_name("tomtat")
    result = subprocess.run([str(tomtat), *command.split()[2:]], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    sources = [line for line in shown[shown.index("Nguồn:") :] if not line.startswith("tomtat:")]
    assert result.stdout.splitlines()[-len(sources) :] == sources  # the articles, numbered as shown
    printed = "\n".join(line for line in shown if not line.startswith("tomtat:"))
    assert result.stdout.strip() == printed.strip()  # the README shows what it really prints
    assert "figures differ across articles: 180" in result.stderr  # the note the README shows
