"""The warm-kernel template: a process that imports the heavy libraries once and forks one kernel per notebook.

Started by :class:`analysis.report.executors.forked.TemplateClient` as::

    python -c "from analysis.report.executors.template import main; main()" SOCKET HOST_PID

It imports ipykernel, pandas, pyarrow, scipy.stats, matplotlib, PIL, openpyxl, docx, jinja2,
seaborn and ``analysis``, pays a first chart's costs (:mod:`analysis.present.charts.warm`: fonts,
character maps, catalogues, one draw; rcParams restored), then serves fork requests on a Unix socket inside a 0700 directory
(connecting to it means running code, so only its owner may). Each request forks a child that
becomes a fresh ``ipykernel`` with the connection file, environment, working folder and log
descriptors the kernel manager would have given a spawned kernel. Nothing a notebook does in its
child reaches the template or the next child: each is its own process, copied on write.

What forking needs (see ``performance_notes.md`` in the shared reference folder):

- no threads at fork: the host sets ``OPENBLAS_NUM_THREADS=1`` and
  ``JE_ARROW_MALLOC_CONF=background_thread:false`` before the imports, and the template checks it
  has exactly one thread, no ZMQ context and no event loop before it serves;
- ``MPLBACKEND`` is set (as ipykernel would) before matplotlib is imported; rcParams are left alone,
  and the inline backend is left for the child to import (it registers itself with the child's shell);
- ``IPKernelApp.parent_handle`` is read from the environment at import time, so each child passes
  its parent (the template) explicitly; the template exits when its host goes away, and a child
  exits when the template does (ipykernel's parent poller), so nothing is left behind;
- every child reseeds ``random`` and numpy's global RNG (it would otherwise inherit the template's
  state); the string hash seed is fixed per template, i.e. per run, and cannot change after start;
- the template runs the code as it was when the run started; a new run starts a new template.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import threading

PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # imported by every kernel's initialisation (debugpy; no thread at import)
    "IPython",
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "PIL.Image",
    "openpyxl",
    "docx",
    "jinja2",
    "pandas.io.formats.style",
    "seaborn",
    "analysis.atomic",
    "analysis.present.charts",
    "analysis.present.narrative",
    "analysis.present.tables",
    "analysis.views",
)
"""Imported once in the template. A module that fails to import is skipped (the kernel imports it itself).

Not ``matplotlib_inline.backend_inline``: it hooks itself into the IPython shell when first imported,
and the shell exists only in the child; imported in the template, figures would show as text."""

WARM_UPS = ("analysis.present.charts.warm:warm_up",)
"""Called once in the template after :data:`PRELOAD` (``module:function``): first-use costs every kernel
would pay again (fonts, catalogues, the first chart draw). A warm-up that fails is skipped."""

FORK_ENV = {
    "OPENBLAS_NUM_THREADS": "1",  # OpenBLAS starts a thread pool at import otherwise
    "JE_ARROW_MALLOC_CONF": "background_thread:false",  # pyarrow's jemalloc background thread
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # what ipykernel sets for a kernel
}
ACCEPT_TIMEOUT = 0.5  # how often the template checks that its host is still there
MAX_MESSAGE = 1 << 20


def thread_count() -> int:
    """Native threads of this process (``/proc`` on Linux; Python's own count elsewhere)."""
    with contextlib.suppress(OSError):
        return len(os.listdir("/proc/self/task"))
    return threading.active_count()


def fork_hazards() -> list[str]:
    """What would make a fork unsafe right now (empty when it is safe)."""
    problems = []
    if threading.active_count() != 1 or thread_count() != 1:
        problems.append(f"{thread_count()} threads ({threading.active_count()} Python threads)")
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        problems.append("a ZMQ context exists")
    import asyncio

    policy = asyncio.get_event_loop_policy()
    if getattr(getattr(policy, "_local", None), "_loop", None) is not None:
        problems.append("an asyncio event loop exists")
    return problems


def preload() -> list[str]:
    """Import :data:`PRELOAD`; returns the modules that could not be imported."""
    missing = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module broken or absent: the kernel will import (or fail) itself
            missing.append(name)
    return missing


def warm_up() -> list[str]:
    """Call :data:`WARM_UPS`; returns those that failed (the kernels then pay those costs themselves)."""
    failed = []
    for target in WARM_UPS:
        module, _, function = target.partition(":")
        try:
            getattr(importlib.import_module(module), function)()
        except Exception:  # noqa: BLE001 - only a missed saving
            failed.append(target)
    return failed


def _reseed() -> None:
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def run_child(request: dict, fds: list[int], listener: socket.socket, conn: socket.socket) -> None:
    """In the forked child: become a fresh ipykernel. Never returns."""
    code = 1
    try:
        os.setsid()  # own process group, like a spawned kernel: signals reach its subprocesses too
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        listener.close()
        conn.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in {devnull, *fds}:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path.insert(0, os.getcwd())  # as `python -m ipykernel_launcher` started in this folder
        _reseed()
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = ["ipykernel_launcher", *request["args"]]
        IPKernelApp.launch_instance(argv=request["args"], parent_handle=os.getppid())
        code = 0
    except BaseException:  # noqa: BLE001 - report and leave; never fall back into the template's loop
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(path: str, host_pid: int) -> None:
    """Accept fork requests until told to quit or the host goes away."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(8)
    listener.settimeout(ACCEPT_TIMEOUT)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the OS, never zombies
    print(f"ready {os.getpid()}", flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the host stops reading the pipe
    while True:
        if os.getppid() != host_pid:
            return  # the host died: exit with it
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(30)
            try:
                data, fds, _flags, _addr = socket.recv_fds(conn, MAX_MESSAGE, 2)
                request = json.loads(data.decode("utf-8"))
            except (OSError, ValueError):
                continue
            if request.get("op") == "quit":
                return
            if len(fds) != 2:
                continue
            hazards = fork_hazards()
            if hazards:
                conn.sendall(json.dumps({"error": "; ".join(hazards)}).encode())
            else:
                pid = os.fork()
                if pid == 0:
                    run_child(request, fds, listener, conn)
                conn.sendall(json.dumps({"pid": pid}).encode())
            for fd in fds:
                os.close(fd)


def main() -> None:
    path, host_pid = sys.argv[1], int(sys.argv[2])
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # started with -c; each child puts its own folder first
    for name, value in FORK_ENV.items():
        os.environ.setdefault(name, value)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the host's to handle
    missing = preload() + warm_up()
    hazards = fork_hazards()
    if hazards:
        print(f"error cannot fork safely: {'; '.join(hazards)}", flush=True)
        sys.exit(1)
    if missing:
        print(f"note not preloaded: {', '.join(missing)}", file=sys.stderr, flush=True)
    try:
        serve(path, host_pid)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


if __name__ == "__main__":  # pragma: no cover
    main()
