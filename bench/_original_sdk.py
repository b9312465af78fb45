"""The original ContactHub Python SDK (contacthub-sdk-python 0.2), in a virtualenv of its own.

Benchmarks compare our SDK with it side by side. Both are imported as ``contacthub``, so the
original lives in ``bench/.venv-original/`` (ignored by git) and runs in a subprocess::

    from _original_sdk import original_python, run_python

    python = original_python()            # builds the virtualenv on first use
    out = run_python(python, "import contacthub; print(contacthub.__file__)")

Run this file to (re)build the virtualenv and print its interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ORIGINAL_VENV = BENCH_DIR / ".venv-original"
ORIGINAL_REQUIREMENT = "contacthub-sdk-python==0.2"
OUR_PYTHON = Path(sys.executable)


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def original_python(rebuild: bool = False) -> Path:
    """The interpreter of a virtualenv that has the original SDK, built when missing.

    Args:
        rebuild: recreate the virtualenv even when it exists.

    Raises:
        RuntimeError: pip could not install the original SDK (the message has pip's output).
    """
    python = _venv_python(ORIGINAL_VENV)
    marker = ORIGINAL_VENV / ".installed"
    if not rebuild and python.exists() and marker.exists():
        return python
    venv.EnvBuilder(clear=True, with_pip=True).create(ORIGINAL_VENV)
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         ORIGINAL_REQUIREMENT],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"could not install {ORIGINAL_REQUIREMENT} into {ORIGINAL_VENV}:\n"
            f"{result.stdout}{result.stderr}"
        )
    marker.write_text(ORIGINAL_REQUIREMENT + "\n")
    return python


def run_python(python: Path, code: str, *args: str, timeout: float = 600) -> str:
    """Run ``code`` with ``python`` (``sys.argv[1:]`` = ``args``) and return its stdout.

    The child starts in a neutral directory with ``PYTHONPATH`` cleared, so that the
    ``contacthub`` it imports is the one installed in that interpreter's environment.

    Raises:
        RuntimeError: the child failed (the message has its stderr).
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=str(BENCH_DIR.parent / "bench"),
        env=env,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{python} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


if __name__ == "__main__":
    print(original_python(rebuild="--rebuild" in sys.argv))
