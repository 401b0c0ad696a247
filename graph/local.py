"""The project's own Neo4j: an embedded 5.26 Community server run by the Java launcher in
``neo4j-local/``, on loopback, with its data, password, pid file and log under ``Settings.home``."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graph.errors import LocalServerError
from graph.settings import PROJECT_ROOT, Settings

LAUNCHER_DIR = PROJECT_ROOT / "neo4j-local"
LAUNCHER_CLASS = "org.s3graph.local.Launcher"


@dataclass(frozen=True)
class LocalStatus:
    running: bool
    pid: int | None
    port: int
    data_dir: Path
    log_file: Path
    message: str


def misplaced_store(settings: Settings) -> Path | None:
    """A store that an earlier s3graph put in ``$HOME/neo4j`` (it read ``HOME`` as its home),
    while the right place holds none; ``None`` when there is nothing to tell."""
    if "S3GRAPH_HOME" in os.environ:
        return None
    old = Path.home() / "neo4j"
    if old.resolve() == (settings.home / "neo4j").resolve():
        return None
    made_by_s3graph = (old / "config.json").is_file() and (old / "data").is_dir()
    if made_by_s3graph and not (settings.home / "neo4j" / "data").exists():
        return old
    return None


def misplaced_store_advice(old: Path, settings: Settings) -> str:
    """What to do about a misplaced store: s3graph moves or deletes nothing by itself."""
    return (
        f"An s3graph Neo4j store from an earlier version is in {old} (it took $HOME for its "
        f"home); s3graph now keeps its data in {settings.home}. To keep that graph, stop any "
        f"server running from it and move it: mkdir -p {settings.home} && mv {old} "
        f"{settings.home / 'neo4j'} (reject reports were in {old.parent / 'reports'}). "
        f"Or keep using it where it is with S3GRAPH_HOME={old.parent}. Or delete it yourself."
    )


class LocalNeo4j:
    """Builds, starts, stops and reports on the local Neo4j server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.home / "neo4j"
        self.data_dir = self.root / "data"
        self.pid_file = self.root / "neo4j.pid"
        self.log_file = self.root / "neo4j.log"
        self.config_file = self.root / "config.json"
        self.port = settings.local_port

    # -- configuration -------------------------------------------------------------------------

    def password(self) -> str:
        """The configured password, else the one generated on first use and kept in config.json."""
        if self.settings.neo4j_password is not None:
            return self.settings.neo4j_password.get_secret_value()
        config = self._read_config()
        if "password" not in config:
            config["password"] = secrets.token_urlsafe(24)
            self._write_config(config)
        return str(config["password"])

    def _read_config(self) -> dict[str, str]:
        if not self.config_file.exists():
            return {}
        data = json.loads(self.config_file.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def _write_config(self, config: dict[str, str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self.config_file.chmod(0o600)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    # -- build ---------------------------------------------------------------------------------

    def _classpath(self) -> str:
        target = LAUNCHER_DIR / "target"
        return f"{target / 'classes'}{os.pathsep}{target / 'lib'}/*"

    def is_built(self) -> bool:
        launcher = (
            LAUNCHER_DIR / "target" / "classes" / "org" / "s3graph" / "local" / "Launcher.class"
        )
        source = (
            LAUNCHER_DIR / "src" / "main" / "java" / "org" / "s3graph" / "local" / "Launcher.java"
        )
        lib = LAUNCHER_DIR / "target" / "lib"
        return (
            launcher.exists()
            and lib.is_dir()
            and any(lib.glob("neo4j-bolt-*.jar"))
            and launcher.stat().st_mtime >= source.stat().st_mtime
        )

    def build(self) -> None:
        """Runs ``mvn package`` once; later calls find the classes and jars and return at once."""
        if self.is_built():
            return
        try:
            result = subprocess.run(
                ["mvn", "-q", "-B", "package", "-DskipTests"],
                cwd=LAUNCHER_DIR,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise LocalServerError(
                "Maven (mvn) is not installed: install it, or set NEO4J_URI to use another Neo4j"
            ) from exc
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
            raise LocalServerError("building the local Neo4j launcher failed:\n" + "\n".join(tail))

    # -- process -------------------------------------------------------------------------------

    def _pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie (exited child not yet reaped) counts as gone.
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                return stat.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return True

    def _port_open(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def status(self) -> LocalStatus:
        pid = self._pid()
        if pid is None:
            message = "not running"
            running = False
        elif not self._alive(pid):
            message = f"not running (stale pid file for pid {pid})"
            running = False
        else:
            running = True
            message = "running" if self._port_open() else "starting (Bolt not answering yet)"
        return LocalStatus(
            running, pid if running else None, self.port, self.data_dir, self.log_file, message
        )

    def start(self, wait: bool = True) -> LocalStatus:
        """Starts the server in the background; returns at once if it is already running."""
        current = self.status()
        if current.running:
            return current
        self.pid_file.unlink(missing_ok=True)
        if self._port_open():
            raise LocalServerError(
                f"port {self.port} is already in use by another program: "
                "set S3GRAPH_NEO4J_PORT to a free port"
            )
        self.build()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, S3GRAPH_NEO4J_PASSWORD=self.password())
        command = [
            "java",
            f"-Xmx{self.settings.local_heap}",
            "-XX:+UseG1GC",
            "-cp",
            self._classpath(),
            LAUNCHER_CLASS,
            "--data",
            str(self.data_dir),
            "--port",
            str(self.port),
            "--pagecache",
            self.settings.local_pagecache,
            "--tx-timeout",
            str(self.settings.local_tx_timeout),
        ]
        if self.log_file.exists():
            self.log_file.replace(self.log_file.with_suffix(".log.1"))
        with open(self.log_file, "wb") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        if wait:
            self.wait_until_ready(process)
        return self.status()

    def wait_until_ready(self, process: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + self.settings.local_start_timeout
        while time.monotonic() < deadline:
            pid = self._pid()
            exited = process.poll() is not None if process else pid is None or not self._alive(pid)
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError(
                    f"the local Neo4j exited during start-up ({self.failure_cause()}); "
                    f"see {self.log_file}"
                )
            if self._port_open() and "ready on bolt" in self.log_tail(400):
                return
            time.sleep(0.25)
        raise LocalServerError(
            f"the local Neo4j did not answer on port {self.port} within "
            f"{self.settings.local_start_timeout:.0f} s; see {self.log_file}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stops the server with SIGTERM (clean shutdown), SIGKILL after ``timeout``.

        Returns False when nothing was running.
        """
        pid = self._pid()
        if pid is None or not self._alive(pid):
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(pid):
            self._reap(pid)
            time.sleep(0.2)
        if self._alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        self._reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """Kills the server abruptly (SIGKILL), as a crash would: for fault-injection tests."""
        pid = self._pid()
        if pid is not None and self._alive(pid):
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self._alive(pid) and time.monotonic() < deadline:
                self._reap(pid)
                time.sleep(0.1)
            self._reap(pid)

    @staticmethod
    def _reap(pid: int) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def failure_cause(self) -> str:
        """The first exception the launcher logged (a Java stack trace's cause sits at its top,
        not in its last lines), else the last log line."""
        tail = self.log_tail(200_000)
        for line in tail.splitlines():
            text = line.strip()
            if text and not text.startswith("at ") and ("Exception" in text or "Error" in text):
                return text[:500]
        lines = [line.strip() for line in tail.splitlines() if line.strip()]
        return lines[-1][:500] if lines else "no log output"

    def log_tail(self, chars: int = 2000) -> str:
        try:
            with open(self.log_file, "rb") as log:
                log.seek(0, os.SEEK_END)
                size = log.tell()
                log.seek(max(0, size - chars))
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""
