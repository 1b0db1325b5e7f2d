"""The ``forked`` executor: warm kernels, forked from a template that has imported the heavy libraries once.

The host starts one template process per run (:mod:`analysis.report.executors.template`); each
notebook still gets a fresh kernel process of its own, forked from the template instead of started
from scratch, so it skips about two seconds of imports. A jupyter_client provisioner
(:class:`ForkProvisioner`) asks the template for the fork where a spawned kernel would be started.

Fallback, with the same results: when the template cannot start or cannot fork safely, or the
kernelspec is not this interpreter's ipykernel (another language, another Python), the provisioner
(:mod:`analysis.report.executors.provisioner`) starts the kernel the ordinary way and the run summary says so once. Where ``fork`` does not exist
(Windows), :meth:`ForkedExecutor.available` says why and the default executor is ``local``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from analysis.report.executors.local import LocalExecutor
from analysis.report.executors.notebook import ProvisionerFactory
from analysis.report.executors.template import FORK_ENV

READY_TIMEOUT = 180.0  # the template's imports; minutes only on a very busy machine
FALLBACK_WARNING = "未能使用预热内核，已按常规方式启动内核 / warm kernels unavailable, kernels started normally"


class TemplateUnavailable(RuntimeError):
    pass


def fork_unavailable(cmd: list[str], kernel_spec) -> str:
    """Why this kernel command cannot be forked from the template ("" when it can)."""
    language = (getattr(kernel_spec, "language", "") or "python").lower()
    if language != "python":
        return f"kernel language {language}"
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", "ipykernel_launcher"]:
        return "kernel is not ipykernel_launcher"
    if Path(cmd[0]).resolve() != Path(sys.executable).resolve():
        return f"kernel interpreter {cmd[0]} is not {sys.executable}"
    return ""


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone; ``/proc`` is read where there is one)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


class TemplateClient:
    """The host's handle on one template process: start it, ask it to fork, stop it."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None
        self.folder = ""
        self.socket_path = ""
        self.error = ""
        self.pid = 0
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Launch the template (its imports run while the host does its own set-up)."""
        self.folder = tempfile.mkdtemp(prefix="enforcement-kernels-")  # mode 0700: only we may connect
        self.socket_path = os.path.join(self.folder, "template.sock")
        env = dict(os.environ)
        for name, value in FORK_ENV.items():
            env.setdefault(name, value)
        code = "from analysis.report.executors.template import main; main()"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code, self.socket_path, str(os.getpid())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,  # Ctrl-C in the terminal is for the host, which stops it
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> str:
        """Block until the template serves; returns "" or why it cannot."""
        with self._lock:
            if self._ready or self.error:
                return self.error
            if self.proc is None:
                self.error = "template not started"
                return self.error
            line = ""
            with selectors.DefaultSelector() as sel:
                sel.register(self.proc.stdout, selectors.EVENT_READ)
                if sel.select(timeout):
                    line = self.proc.stdout.readline().decode("utf-8", "replace").strip()
            self.proc.stdout.close()
            if line.startswith("ready "):
                self._ready, self.pid = True, int(line.split()[1])
            else:
                self.error = line.removeprefix("error ") or f"template did not start (see {self.log_path})"
                self._stop()
            return self.error

    def fork(self, args: list[str], env: dict[str, str], cwd: str, fds: list[int]) -> int:
        """Ask the template for a kernel child; returns its pid. Raises TemplateUnavailable."""
        error = self.wait_ready()
        if error:
            raise TemplateUnavailable(error)
        request = {"op": "fork", "args": args, "env": env, "cwd": cwd}
        try:
            reply = self._request(request, fds)
        except (OSError, ValueError) as err:
            raise TemplateUnavailable(f"template not reachable: {err}") from None
        if "pid" not in reply:
            raise TemplateUnavailable(str(reply.get("error", reply)))
        return int(reply["pid"])

    def _request(self, request: dict, fds: list[int]) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(60)
            sock.connect(self.socket_path)
            socket.send_fds(sock, [json.dumps(request).encode("utf-8")], fds)
            sock.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return json.loads(b"".join(chunks).decode("utf-8")) if chunks else {}

    def _stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None and self._ready:
            with contextlib.suppress(OSError, ValueError):
                self._request({"op": "quit"}, [])
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self._stop()
        if self.proc is not None and self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class ForkedExecutor(LocalExecutor):
    """The local thread pool, with every kernel forked from one warm template per run."""

    name = "forked"

    def __init__(self, workers: int, timeout: float, log_dir: Path) -> None:
        super().__init__(workers, timeout, log_dir)
        self.template: TemplateClient | None = None
        self._lock = threading.Lock()

    @classmethod
    def available(cls) -> str:
        if os.name != "posix" or not hasattr(os, "fork"):
            return "os.fork is not available on this system"
        if not hasattr(socket, "AF_UNIX") or not hasattr(socket, "send_fds"):
            return "Unix sockets with descriptor passing are not available"
        return ""

    def start(self) -> None:
        super().start()
        if self.template is None:
            self.template = TemplateClient(self.log_dir / "template.log")
            self.template.start()

    def _fell_back(self, reason: str) -> None:
        with self._lock:
            text = f"{FALLBACK_WARNING}: {reason}"
            if text not in self.warnings:
                self.warnings.append(text)

    def provisioner_factory(self) -> ProvisionerFactory | None:
        from analysis.report.executors.provisioner import ForkProvisioner  # jupyter_client: only when running

        template = self.template

        def make(km):
            provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
            provisioner.template = template
            provisioner.on_fallback = self._fell_back
            return provisioner

        return make

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.template is not None:
                self.template.close()
                self.template = None
