"""The jupyter_client provisioner of the ``forked`` executor: a kernel forked from the warm template.

Where a spawned kernel would be started, :class:`ForkProvisioner` asks the run's template
(:class:`~analysis.report.executors.forked.TemplateClient`) to fork one, passing the connection
file's arguments, the environment, the working folder and the log descriptors; it then manages the
child by pid (it is the template's child, not ours). It falls back to ``LocalProvisioner``'s own
launch, with the same results, when the kernel cannot be forked.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from analysis.report.executors import forked as forked_mod


class ForkProvisioner(LocalProvisioner):
    """Starts the kernel by asking the template to fork it; falls back to LocalProvisioner's launch."""

    template: forked_mod.TemplateClient | None = None
    forked = False
    fallback_reason = ""
    on_fallback = None  # called with the reason when the kernel is started the ordinary way

    @property
    def has_process(self) -> bool:
        return self.pid is not None if self.forked else super().has_process

    async def launch_kernel(self, cmd: list[str], **kwargs):
        reason = forked_mod.fork_unavailable(cmd, self.kernel_spec) if self.template is not None else "no template"
        if not reason:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            cwd = str(kwargs.get("cwd") or os.getcwd())
            streams = [kwargs.get("stdout"), kwargs.get("stderr")]
            with open(os.devnull, "wb") as devnull:
                fds = [s.fileno() if hasattr(s, "fileno") else devnull.fileno() for s in streams]
                try:
                    pid = self.template.fork(list(cmd[3:]), env, cwd, fds)
                except forked_mod.TemplateUnavailable as err:
                    reason = str(err)
        if reason:
            self.fallback_reason = reason
            if self.on_fallback is not None:
                self.on_fallback(reason)
            return await super().launch_kernel(cmd, **kwargs)
        self.forked = True
        self.pid = self.pgid = pid  # the child calls setsid(): its own process group
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info

    async def poll(self) -> int | None:
        if not self.forked:
            return await super().poll()
        return None if self.pid is not None and forked_mod.pid_alive(self.pid) else 1

    async def wait(self) -> int | None:
        if not self.forked:
            return await super().wait()
        while self.pid is not None and forked_mod.pid_alive(self.pid):
            await asyncio.sleep(0.05)  # not our child: no waitpid; jupyter_client's own wait polls too
        self.pid = None
        return 1

    async def send_signal(self, signum: int) -> None:
        if not self.forked:
            return await super().send_signal(signum)
        if self.pid is None:
            return None
        try:
            os.killpg(self.pgid, signum)
        except OSError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)
        return None

    async def kill(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().kill(restart)
        return await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().terminate(restart)
        return await self.send_signal(signal.SIGTERM)
