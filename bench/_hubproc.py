"""A hub in a subprocess (``python -m contacthub_server serve``) for the bulk benchmarks.

The hub runs in its own process so that it does not share the client's interpreter lock: the
figures are those of a client talking to a separate server, as in real use.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

WORKSPACE_ID = "bench-ws"
NODE_ID = "bench-node"
TOKEN = "bench-token"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HubProcess:
    """``contacthub serve`` on a fresh SQLite file, with the benchmark's fixed credentials."""

    def __init__(self, directory: Path, *, latency_ms: int = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/hub/v1"
        self.latency_ms = latency_ms
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> HubProcess:
        name = f"hub-{self.port}"
        command = [
            sys.executable,
            "-m",
            "contacthub_server",
            "serve",
            "--port",
            str(self.port),
            "--database",
            str(self._directory / f"{name}.db"),
            "--ini",
            str(self._directory / f"{name}.ini"),
            "--workspace-id",
            WORKSPACE_ID,
            "--node-id",
            NODE_ID,
            "--token",
            TOKEN,
            "--latency-ms",
            str(self.latency_ms),
            "--log-level",
            "warning",
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the hub did not start listening within 60 s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
