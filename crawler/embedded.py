"""The embedded MongoDB-wire server (nx-27017 over SQLite), started on demand.

One server per NEWSCRAWL_HOME, shared by every newscrawl process: an exclusive lock serialises
start-up, and a state file records its pid and port, so a second process reuses the running
server and never opens the same SQLite files twice. A state or pid file left by a crash
(kill -9) is detected by checking that the recorded pid is alive and really is nx-27017.

The address is stable: the first start picks a free port and records it in `db/port`, and
every later start listens there again, so a crawl that is running while the server restarts
(`newscrawl db stop` / `start`, or a crash) reconnects by itself.

The server runs through :func:`serve` (`python -m crawler.embedded serve ...`), not nx-27017's
own entry point, which logs every command with its arguments at INFO (a PLAIN login's password
among them) and every line twice, to a file that only grows. Here it logs warnings and errors
only, to a rotated file of at most LOG_MAX_BYTES (plus one older file), and everything it
writes is readable by its user only: files 0600 in a 0700 folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from crawler.config import home, private_dir

DATABASE = "newscrawl"
START_TIMEOUT_S = 30.0
LOG_MAX_BYTES = 1_000_000  # the server's log is rotated at this size; one older file is kept
SERVE = ["-m", "crawler.embedded", "serve"]  # how the server process is started (and known)


class EmbeddedServerError(Exception):
    """The embedded server could not be started or stopped."""


@dataclass(frozen=True)
class ServerState:
    pid: int
    port: int

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/{DATABASE}"


def _free_port(preferred: int = 0) -> int:
    """`preferred` when nothing listens there, else any free port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def _is_nx_process(pid: int) -> bool:
    """True when `pid` is alive and runs nx-27017 (guards against a recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal check
    zombie = stat.rsplit(")", 1)[-1].split()[0] == "Z"
    args = cmdline.split(b"\0")
    ours = any(args[i:i + len(SERVE)] == [a.encode() for a in SERVE] for i in range(len(args)))
    return (ours or b"nx_27017" in cmdline) and not zombie  # (nx_27017: older versions)


class EmbeddedServer:
    """Manages the nx-27017 server that lives in `<home>/db`."""

    def __init__(self, root: Path | None = None):
        self.root = (root or home()) / "db"
        self.data_dir = self.root / "data"
        self.state_file = self.root / "server.json"
        self.port_file = self.root / "port"  # survives stops: the next start listens there
        self.lock_file = self.root / "server.lock"
        self.pid_file = self.root / "nx-27017.pid"
        self.log_file = self.root / "nx-27017.log"
        self.output_file = self.root / "nx-27017.out"  # what the process prints when it dies

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        private_dir(self.root)
        with open(self.lock_file, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def state(self) -> ServerState | None:
        """The running server, or None (a stale state file counts as none)."""
        try:
            raw = json.loads(self.state_file.read_text())
            state = ServerState(pid=int(raw["pid"]), port=int(raw["port"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return state if _is_nx_process(state.pid) else None

    def ensure_running(self) -> str:
        """The server's URI, starting the server first when none runs."""
        with self._locked():
            state = self.state()
            if state and self._wait_until_answering(state, timeout=START_TIMEOUT_S):
                return state.uri
            if state:  # alive but deaf: restart it
                self._terminate(state.pid)
            return self._start().uri

    def recorded_port(self) -> int:
        """The port of the last start (0: never started here)."""
        try:
            return int(self.port_file.read_text())
        except (OSError, ValueError):
            return 0

    def _start(self) -> ServerState:
        self._clear_stale_files()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _attempt in range(3):
            port = _free_port(self.recorded_port())
            cmd = [
                sys.executable, *SERVE,
                "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "-p", str(port),
                "--pid-file", str(self.pid_file), "--log-file", str(self.log_file),
            ]
            output = os.open(self.output_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                    start_new_session=True, close_fds=True,
                )
            finally:
                os.close(output)
            state = ServerState(pid=proc.pid, port=port)
            if self._wait_until_answering(state, timeout=START_TIMEOUT_S, proc=proc):
                self.state_file.write_text(json.dumps({"pid": proc.pid, "port": port}))
                self.port_file.write_text(str(port))
                return state
            last_error = f"exit code {proc.poll()}" if proc.poll() is not None else "no answer"
            self._terminate(proc.pid)
            self._clear_stale_files()
        raise EmbeddedServerError(
            f"embedded MongoDB server did not start ({last_error}); see {self.log_file} "
            f"and {self.output_file}"
        )

    @staticmethod
    def _wait_until_answering(
        state: ServerState, *, timeout: float, proc: subprocess.Popen | None = None
    ) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _port_answers(state.port):
                return True
            if proc is not None and proc.poll() is not None:
                return False
            if proc is None and not _is_nx_process(state.pid):
                return False
            time.sleep(0.05)
        return False

    def _clear_stale_files(self) -> None:
        for path in (self.state_file, self.pid_file):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    @staticmethod
    def _terminate(pid: int, grace: float = 10.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _is_nx_process(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        if _is_nx_process(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> bool:
        """Stop the server; False when none was running."""
        with self._locked():
            state = self.state()
            if state:
                self._terminate(state.pid)
            self._clear_stale_files()
            return state is not None

    def data_size(self) -> int:
        """Bytes used by the SQLite files."""
        if not self.data_dir.exists():
            return 0
        return sum(p.stat().st_size for p in self.data_dir.rglob("*") if p.is_file())


def serve(argv: list[str]) -> None:
    """Run nx-27017 in this process (the server side of `_start`): warnings and errors only, to
    a rotated log; every file it creates is readable by its user only.

    `argv` are nx-27017's own options; `--log-file` is taken over: nx-27017 adds an INFO file
    handler of its own, which goes to /dev/null, and, our handler being installed first, its
    `basicConfig` does nothing.
    """
    os.umask(0o077)
    log_file = argv[argv.index("--log-file") + 1]
    rotated = RotatingFileHandler(log_file, maxBytes=LOG_MAX_BYTES, backupCount=1)
    rotated.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(rotated)
    root.setLevel(logging.WARNING)  # INFO carries each command's arguments
    given = argv.index("--log-file")
    sys.argv = ["nx_27017", *argv[:given], *argv[given + 2:], "--log-file", os.devnull]
    from nx_27017.nx_27017 import main

    main()


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(sys.argv[2:])
