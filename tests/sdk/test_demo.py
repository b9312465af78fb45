"""`./dev demo` works: examples/demo.py runs to the end against its embedded hub."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).parents[2] / "examples" / "demo.py"


def test_demo_runs_and_shows_each_step() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in done.stderr
    for expected in (
        "== add customers",
        "query firstName == Bruce and lastName == Wayne: ['bruce@wayne.example']",
        "stored email: batman@cave.example, last name kept: Wayne",
        "manual tags: ['vip']",
        "education: Gotham University (1990-1994)",
        "events of Bruce before login: 0",
        "after login: ['loggedIn', 'viewedPage', 'viewedPage']",
        "5 customers in 3 pages of 2",
        "duplicate email -> 409: Conflict with exiting customer",
        "with force_update the existing customer is updated: Kal-El",
        "unknown id -> 404",
        "remove_tag of a missing tag -> ValueError",
        "4 customers left",
        "done: the hub has stopped",
    ):
        assert expected in out, f"{expected!r} missing from the demo's output:\n{out}"


def test_demo_keep_leaves_the_hub_up_for_the_console_until_ctrl_c() -> None:
    import re
    import signal

    import requests

    demo = subprocess.Popen(
        [sys.executable, str(DEMO), "--keep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        opened = re.search(r"open (\S+) and log in with the admin key (\S+)", "".join(lines))
        assert opened, "".join(lines)
        console, key = opened.groups()
        session = requests.Session()
        home = session.post(console + "login", data={"key": key}, timeout=10)
        assert home.status_code == 200
        assert home.url == console
        assert re.findall(r'<td class="num">(\d+)</td>', home.text)[0] == "4"
        demo.send_signal(signal.SIGINT)
        out, _ = demo.communicate(timeout=30)
        assert demo.returncode == 0
        assert "done: the hub has stopped" in out
    finally:
        demo.kill()
        demo.wait()
