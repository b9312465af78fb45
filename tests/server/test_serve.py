"""``contacthub serve`` end to end, in a subprocess: credentials, INI file, config, durability."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def parse_ini(path: Path) -> dict[str, str]:
    pairs = [line.split(" = ", 1) for line in path.read_text().splitlines() if line]
    return dict(pairs)


@contextmanager
def serve(*args: str, cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``python -m contacthub_server serve ARGS`` until it accepts connections."""
    port = free_port()
    command = [sys.executable, "-m", "contacthub_server", "serve", "--port", str(port), *args]
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}/hub/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"serve exited with {process.returncode}: {process.stderr.read()}"
                )
            try:
                requests.get(f"{base}/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[int, str]:
    """Signal the server (SIGTERM as a service manager would, SIGINT as Ctrl-C would); its exit
    code and printed output."""
    process.send_signal(sig)
    out, _ = process.communicate(timeout=30)
    return process.returncode, out


def count_customers(base: str, ini: dict[str, str]) -> int:
    reply = requests.get(
        f"{base}/workspaces/{ini['workspace_id']}/customers",
        params={"nodeId": ini["node_id"]},
        headers={"Authorization": f"Bearer {ini['token']}"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    total: int = reply.json()["page"]["totalElements"]
    return total


def test_first_start_prints_and_keeps_credentials(tmp_path: Path) -> None:
    # A new SQLite file: the first start must find an empty database.
    db = str(tmp_path / "hub.db")
    ini_path = tmp_path / "contacthub.ini"
    with serve("--database", db, cwd=tmp_path) as (process, base):
        ini = parse_ini(ini_path)
        assert list(ini) == ["workspace_id", "token", "base_url", "node_id"]
        assert ini["base_url"] == base
        url = f"{base}/workspaces/{ini['workspace_id']}/customers"
        headers = {"Authorization": f"Bearer {ini['token']}"}
        created = requests.post(
            url, json={"nodeId": ini["node_id"], "externalId": "k"}, headers=headers
        )
        assert created.status_code == 201
        code, out = stop(process)
    assert code == 0
    for key in ("workspace_id", "node_id", "token"):
        assert ini[key] in out
    assert base in out

    ini_path.unlink()
    with serve("--database", db, cwd=tmp_path) as (process, base):
        again = parse_ini(ini_path)
        assert {k: again[k] for k in ("workspace_id", "node_id", "token")} == {
            k: ini[k] for k in ("workspace_id", "node_id", "token")
        }
        assert count_customers(base, again) == 1
        stop(process)


def test_explicit_credentials_are_created_and_used(tmp_path: Path, database_url: str) -> None:
    db = database_url if database_url.startswith("postgresql") else str(tmp_path / "hub.db")
    ws, node, token = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("ws", "node", "tok"))
    args = ("--database", db, "--workspace-id", ws, "--node-id", node, "--token", token)
    ini_path = tmp_path / "creds.ini"
    with serve(*args, "--ini", str(ini_path), cwd=tmp_path) as (process, base):
        ini = parse_ini(ini_path)
        assert (ini["workspace_id"], ini["node_id"], ini["token"]) == (ws, node, token)
        assert count_customers(base, ini) == 0
        code, _ = stop(process, signal.SIGINT)
    assert code == 0


def test_config_file_declares_workspaces_nodes_and_policies(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        "[workspaces.acme]\n"
        'tokens = ["acme-token"]\n'
        "[workspaces.acme.nodes.shop.matching]\n"
        'policy = "NO_CHECK"\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "hub.db")
    with serve("--database", db, "--config", str(config), cwd=tmp_path) as (process, base):
        ini = parse_ini(tmp_path / "contacthub.ini")
        assert (ini["workspace_id"], ini["node_id"], ini["token"]) == ("acme", "shop", "acme-token")
        url = f"{base}/workspaces/acme/customers"
        headers = {"Authorization": "Bearer acme-token"}
        body = {"nodeId": "shop", "base": {"contacts": {"email": "same@example.com"}}}
        assert requests.post(url, json=body, headers=headers).status_code == 201
        assert requests.post(url, json=body, headers=headers).status_code == 201  # NO_CHECK
        stop(process)


def test_config_file_relaxes_the_event_rules_of_one_node(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        "[workspaces.acme]\n"
        'tokens = ["acme-token"]\n'
        "[workspaces.acme.nodes.shop]\n"
        "[workspaces.acme.nodes.legacy.events]\n"
        "strictProperties = false\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "hub.db")
    with serve("--database", db, "--config", str(config), cwd=tmp_path) as (process, base):
        url = f"{base}/workspaces/acme/events"
        headers = {"Authorization": "Bearer acme-token"}

        def post(node: str) -> requests.Response:
            bring_back = {"type": "SESSION_ID", "value": "s", "nodeId": node}
            body = {"type": "loggedIn", "context": "WEB", "properties": {"custom": 1}}
            return requests.post(
                url, json={**body, "bringBackProperties": bring_back}, headers=headers
            )

        assert post("legacy").status_code == 202
        refused = post("shop")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["path"] == "/properties/custom"
        stop(process)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            "[workspaces.a.nodes.n.matching]\npolicy = 'SOMETIMES'\n",
            "workspaces.a.nodes.n.matching.policy",
        ),
        ("[workspaces.a]\ntokenz = ['t']\n", "workspaces.a.tokenz"),
        ("[workspaces.a]\ntokens = 'one'\n", "workspaces.a.tokens"),
        ("workspaces = [1\n", "not valid TOML"),
        ("[servers]\n", "servers"),
        (
            "[workspaces.a.nodes.n.extendedSchema]\ntype = 5\n",
            "workspaces.a.nodes.n.extendedSchema",
        ),
        ("[workspaces.a.nodes.n]\ncolour = 'red'\n", "workspaces.a.nodes.n.colour"),
        (
            "[workspaces.a.nodes.n.events]\nstrictProperties = 'no'\n",
            "workspaces.a.nodes.n.events.strictProperties",
        ),
    ],
)
def test_bad_config_is_a_clear_error_with_exit_code_2(
    tmp_path: Path, content: str, fragment: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "contacthub_server",
            "serve",
            "--config",
            str(config),
            "--database",
            str(tmp_path / "hub.db"),
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_exit_code_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "contacthub_server",
            "serve",
            "--config",
            "nope.toml",
            "--database",
            str(tmp_path / "hub.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "nope.toml" in result.stderr


def test_acknowledged_writes_survive_kill_9(tmp_path: Path, database_url: str) -> None:
    db = database_url if database_url.startswith("postgresql") else str(tmp_path / "hub.db")
    ws, node, token = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("ws", "node", "tok"))
    creds = ("--workspace-id", ws, "--node-id", node, "--token", token)
    # what the hub acknowledged, as the path that must answer 200 after the crash (and, for
    # items, the id expected in that customer's likes)
    acknowledged: list[tuple[str, str | None]] = []
    lock = threading.Lock()
    stop_writing = threading.Event()

    with serve("--database", db, *creds, "--log-level", "warning", cwd=tmp_path) as (process, base):
        url = f"{base}/workspaces/{ws}"
        headers = {"Authorization": f"Bearer {token}"}

        def writer(n: int) -> None:
            with requests.Session() as session:
                session.headers.update(headers)
                i = 0
                while not stop_writing.is_set():
                    i += 1
                    body = {"nodeId": node, "externalId": f"w{n}-{i}", "base": {"firstName": "K"}}
                    try:
                        reply = session.post(f"{url}/customers", json=body, timeout=10)
                        if reply.status_code != 201:
                            continue
                        cid = reply.json()["id"]
                        with lock:
                            acknowledged.append((f"/customers/{cid}", None))
                        event = {"customerId": cid, "type": "loggedIn", "context": "WEB"}
                        reply = session.post(
                            f"{url}/events", json={**event, "properties": {}}, timeout=10
                        )
                        if reply.status_code == 202:
                            with lock:
                                acknowledged.append((f"/events/{reply.json()['id']}", None))
                        like = {"id": f"like-{i}", "name": "jazz"}
                        reply = session.post(f"{url}/customers/{cid}/likes", json=like, timeout=10)
                        if reply.status_code == 200:
                            with lock:
                                acknowledged.append((f"/customers/{cid}", like["id"]))
                    except requests.RequestException:
                        return  # the server died under us: this write was not acknowledged

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # mid-stream: writers are still sending
        process.wait(timeout=30)
        stop_writing.set()
        for thread in threads:
            thread.join(timeout=30)

    assert len(acknowledged) >= 60
    with serve("--database", db, *creds, cwd=tmp_path) as (process, base):
        missing = []
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for path, like_id in acknowledged:
                reply = session.get(f"{base}/workspaces/{ws}{path}", timeout=10)
                if reply.status_code != 200:
                    missing.append(path)
                elif like_id is not None:
                    likes = [like["id"] for like in reply.json()["base"]["likes"]]
                    if like_id not in likes:
                        missing.append(f"{path} like {like_id}")
        stop(process)
    assert missing == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--fault-rate", "2"],
        ["--fault-rate", "x"],
        ["--latency-ms", "-1"],
        ["--port", "http"],
        ["--request-log-size", "-1"],
    ],
)
def test_bad_options_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from contacthub_server.serve import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_request_log_size_bounds_the_log(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    with serve("--database", db, "--admin-key", "k", "--request-log-size", "2", cwd=tmp_path) as (
        process,
        base,
    ):
        ini = parse_ini(tmp_path / "contacthub.ini")
        for _ in range(3):
            count_customers(base, ini)
        reply = requests.get(
            base.replace("/hub/v1", "/_hub/requests"),
            params={"workspace": ini["workspace_id"]},
            headers={"Authorization": "Bearer k"},
            timeout=10,
        )
        stop(process)
    assert reply.status_code == 200
    assert reply.json()["size"] == 2
    assert [e["method"] for e in reply.json()["elements"]] == ["GET", "GET"]


def test_module_entry_point_needs_the_serve_command(capsys: pytest.CaptureFixture[str]) -> None:
    from contacthub_server.__main__ import run

    assert run([]) == 2
    assert run(["start"]) == 2
    assert "serve" in capsys.readouterr().err


def test_unwritable_ini_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contacthub_server", "serve", "--database",
         str(tmp_path / "hub.db"), "--ini", str(tmp_path / "missing-dir" / "x.ini"),
         "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_port_exits_1_and_keeps_the_ini(tmp_path: Path) -> None:
    ini = tmp_path / "contacthub.ini"
    ini.write_text("workspace_id = kept\n", encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "contacthub_server", "serve", "--database",
             str(tmp_path / "hub.db"), "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
    assert ini.read_text(encoding="utf-8") == "workspace_id = kept\n"


def test_port_0_writes_the_real_port_and_the_password_is_masked(tmp_path: Path) -> None:
    from contacthub_server.serve import mask_password

    assert mask_password("postgresql://hub:s3cret@db/x") == "postgresql://hub:***@db/x"
    command = [sys.executable, "-m", "contacthub_server", "serve", "--port", "0",
               "--database", str(tmp_path / "hub.db")]  # fmt: skip
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    ini_path = tmp_path / "contacthub.ini"
    deadline = time.monotonic() + 60
    while not ini_path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    ini = parse_ini(ini_path)
    assert not ini["base_url"].endswith(":0/hub/v1")
    assert requests.get(ini["base_url"] + "/openapi.json", timeout=10).status_code == 200
    code, out = stop(process)
    assert code == 0
    assert "admin_key" in out
    assert ini["base_url"] in out


def test_workers_on_sqlite_are_refused(tmp_path: Path) -> None:
    # SQLite's writers share commits inside one process only: several processes are refused.
    done = subprocess.run(
        [sys.executable, "-m", "contacthub_server", "serve", "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers above 1 needs a PostgreSQL --database" in done.stderr
    assert not (tmp_path / "contacthub.db").exists()
