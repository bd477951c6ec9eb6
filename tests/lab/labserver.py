"""JupyterLab from the project's venv, for the live-path check (``make lab-check``).

:class:`LabServer` starts ``jupyter lab`` on 127.0.0.1 with a random free port and a random token, in a
fresh session (its own process group), on a temporary folder of notebook *copies*, with its config,
data, runtime and settings folders isolated from the user's.  :meth:`LabServer.stop` stops every
process the server started (kernels included) by PID, then the server, whatever happened before.

Environment passed to the server: ``MPLBACKEND`` removed (the kernel must use the inline backend, as
``make lab`` leaves it), the project's lab settings (``lab/overrides.json``) as the settings defaults.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
OVERRIDES = ROOT / "lab" / "overrides.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``with LabServer(folder) as lab: page.goto(lab.url("testnet.ipynb"))``."""

    def __init__(self, folder: Path, *, settings: dict | None = None, start_timeout: float = 90.0) -> None:
        self.folder = Path(folder)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.home = self.folder.parent / (self.folder.name + "-jupyter")
        self.log_path = self.home / "server.log"
        self.start_timeout = start_timeout
        self.settings = settings or {}
        self.proc: subprocess.Popen | None = None
        self.stopped: list[int] = []

    @property
    def env(self) -> dict[str, str]:
        """The server's environment: the caller's without MPLBACKEND, with private Jupyter folders."""
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env.update(JUPYTER_CONFIG_DIR=str(self.home / "config"), JUPYTER_DATA_DIR=str(self.home / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"), IPYTHONDIR=str(self.home / "ipython"),
                   JUPYTERLAB_SETTINGS_DIR=str(self.home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"), PYTHONHASHSEED="0")
        return env

    def trust(self, *notebooks: Path) -> None:
        """``jupyter trust`` in the server's private data folder, as ``make lab`` does for the reader."""
        subprocess.run([str(VENV_BIN / "jupyter"), "trust", *map(str, notebooks)], env=self.env, check=True,
                       capture_output=True)

    # -- start -----------------------------------------------------------------------------------
    def __enter__(self) -> LabServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        for sub in ("config", "data", "runtime", "settings", "workspaces", "app-settings/overrides.d"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        overrides = self.home / "app-settings" / "overrides.d"
        if OVERRIDES.is_file():  # the defaults `make lab` installs into the venv, here into a private copy
            shutil.copy(OVERRIDES, overrides / "50-dlmath.json")
        (overrides / "90-check.json").write_text(json.dumps(self.settings))
        env = self.env
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.folder}", f"--LabApp.app_settings_dir={self.home / 'app-settings'}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed with the process in stop())
        self.proc = subprocess.Popen(cmd, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._log = log
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {self.start_timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    # -- talk to it -------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernel_pids(self) -> list[int]:
        return [p.pid for p in self.descendants()]

    def descendants(self) -> list[psutil.Process]:
        if self.proc is None:
            return []
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    # -- stop ---------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the kernels (every descendant of the server) and the server, by PID; SIGKILL after 10 s."""
        if self.proc is None:
            return
        procs = self.descendants()
        for p in procs:
            _signal(p.pid, signal.SIGTERM)
        _signal(self.proc.pid, signal.SIGTERM)
        procs.append(psutil.Process(self.proc.pid) if psutil.pid_exists(self.proc.pid) else None)
        procs = [p for p in procs if p is not None]
        _, alive = psutil.wait_procs(procs, timeout=10)
        for p in alive:
            _signal(p.pid, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=5)
        self.proc.wait(timeout=5)
        self.stopped = [p.pid for p in procs]
        self._log.close()
        self.proc = None


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
