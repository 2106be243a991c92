"""Run ``python -m polycast ARGS`` as a real process, forked from one that has imported polycast.

A fresh interpreter spends most of a second of CPU starting and importing the CLI, numpy and the
rest before it reads its first argument, and a few hundred tests start one. So each test worker
process keeps one "zygote": a Python started once, with every polycast module imported (and
nothing run). Each run is a fork of it that first makes itself what a fresh ``python -m polycast``
process would be (its stdio on the given files, working folder, environment, umask, session,
signal dispositions, ``sys.path``, new ``sys.std*`` objects), then runs ``polycast/__main__.py``
and ends as the interpreter would (non-daemon threads joined, ``atexit`` run, stdio flushed, an
uncaught Ctrl-C ending it by SIGINT).

The child is a real process with a pid of its own, so everything a test checks of a process holds:
the exit code, what reaches stdout and stderr, a signal sent to it, files it leaves. ``Popen``
below is ``subprocess.Popen`` with only the start and the wait replaced.

What a fork does not redo: importing (an import that printed something would show in every real
run, so the zygote refuses to start if importing printed anything); the hash seed (every child
has the zygote's); the interpreter's start-up reading of ``PYTHON*`` and locale variables; what an
exec does (``preexec_fn`` may prepare for it: drop a capability, say). A run whose environment
differs from the zygote's in those variables, or with a ``preexec_fn``, starts a fresh interpreter
instead. ``POLYCAST_TEST_FRESH=1`` makes every run a fresh interpreter, to check that the suite
passes the same way both ways.
"""

from __future__ import annotations

import atexit
import io
import os
import pickle
import pkgutil
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = str(Path(__file__).resolve().parent)
"""The tests' folder, where the zygote finds this module."""
COMMAND = (sys.executable, "-m", "polycast")
"""What a run stands for: ``Popen.args`` starts with this, as a fresh run's would."""
STARTUP_VARIABLES = ("PYTHON", "LC_", "LANG", "LANGUAGE", "OPENBLAS", "OMP_", "MKL_")
"""Environment variables read once, when the interpreter starts or numpy is imported."""
FRESH = "POLYCAST_TEST_FRESH"
"""Set to 1 to start every run as a fresh interpreter."""


def _send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message)
    sock.sendall(len(data).to_bytes(8, "big") + data)


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise EOFError("the zygote's end of the connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(sock: socket.socket) -> Any:
    size = int.from_bytes(_receive_exactly(sock, 8), "big")
    return pickle.loads(_receive_exactly(sock, size))


# ----------------------------------------------------------------------------- the zygote's side

_fresh_path: list[str] = []
"""``sys.path`` of a fresh interpreter, less its first entry (the working folder, for ``-m``)."""


def _preload() -> None:
    """Import every polycast module, failing if that printed anything (a fork would hide it)."""
    with tempfile.TemporaryFile() as caught:
        saved = [os.dup(1), os.dup(2)]
        os.dup2(caught.fileno(), 1)
        os.dup2(caught.fileno(), 2)
        try:
            import polycast

            for module in pkgutil.walk_packages(polycast.__path__, "polycast."):
                if module.name != "polycast.__main__":
                    __import__(module.name)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        caught.seek(0)
        printed = caught.read()
    if printed:
        raise RuntimeError(f"importing polycast printed {printed[:400]!r}")


def serve(control_fd: int, fresh_path: list[str]) -> None:
    """The zygote: import polycast, then fork one run per request until the test worker leaves.

    ``fresh_path`` is ``sys.path`` as the interpreter made it, before the tests' folders.
    """
    _fresh_path[:] = fresh_path
    signals = _signals_after_exec()
    _preload()
    control = socket.socket(fileno=control_fd)
    _send(control, ("ready", os.getpid()))
    while True:
        _reap()
        message, fds, _, _ = socket.recv_fds(control, 16, 4)
        if not message:  # the worker has gone, or is going: a run it never waited for may
            _reap()  # still hold its middle process, which init will reap
            os._exit(0)
        if os.fork() == 0:
            control.close()
            _middle(fds, signals)
        for fd in fds:
            os.close(fd)


def _reap() -> None:
    """Wait for the middle processes that have ended: so their CPU time counts as this one's."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _signals_after_exec() -> dict[int, Any]:
    """Each signal's disposition in a program this one would start with ``subprocess``.

    Exec keeps an ignored signal ignored and sets a caught one to the default; ``subprocess``
    sets SIGPIPE and SIGXFSZ to the default (``restore_signals``).
    """
    found = {}
    for number in signal.valid_signals():
        handler = signal.getsignal(number)
        if handler is None or number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(number, handler)
        except (OSError, ValueError):
            continue
        ignored = handler is signal.SIG_IGN and number not in (signal.SIGPIPE, signal.SIGXFSZ)
        found[number] = signal.SIG_IGN if ignored else signal.SIG_DFL
    return found


def _middle(fds: list[int], signals: Mapping[int, Any]) -> None:
    """Between the zygote and the run: fork the run, tell its pid, then its end, then reap it."""
    *stdio, connection_fd = fds
    connection = socket.socket(fileno=connection_fd)
    request = _receive(connection)
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_read)
        _run(request, stdio, ready_write, connection, signals)
    os.close(ready_write)
    for fd in stdio:
        os.close(fd)  # the pipes' ends are the run's alone, so the reader sees their end
    with os.fdopen(ready_read, "rb") as ready:
        failure = ready.read()
    if failure:
        os.waitpid(pid, 0)
        _send(connection, ("failed", failure.decode()))
        os._exit(0)
    _send(connection, ("started", pid))
    ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    assert ended is not None
    if ended.si_code == os.CLD_EXITED:
        status = ended.si_status << 8
    else:
        status = ended.si_status | (0x80 if ended.si_code == os.CLD_DUMPED else 0)
    _send(connection, ("ended", status))
    connection.recv(1)  # the test has read the status: only now may the pid be reused
    os.waitpid(pid, 0)
    os._exit(0)


def _run(
    request: dict[str, Any],
    stdio: list[int],
    ready: int,
    connection: socket.socket,
    signals: Mapping[int, Any],
) -> None:
    """The run itself: become a fresh ``python -m polycast ARGS``, run it, exit as it would."""
    try:
        _become(request, stdio, signals)
    except BaseException:
        os.write(ready, traceback.format_exc().encode())
        os._exit(255)
    connection.close()
    os.close(ready)
    code = _main(request["args"])
    os._exit(code)


def _become(request: dict[str, Any], stdio: list[int], signals: Mapping[int, Any]) -> None:
    """What ``subprocess`` does between fork and exec, and what Python does as it starts."""
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    for fd in stdio:
        if fd > 2:
            os.close(fd)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    for number, handler in signals.items():
        signal.signal(number, handler)
    if request["new_session"]:
        os.setsid()
    os.environ.clear()
    os.environ.update(request["env"])
    # As a starting interpreter does: SIGINT raises KeyboardInterrupt unless it came ignored.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path[:] = [str(Path.cwd()), *_fresh_path]  # ``python -m`` puts the working folder first
    _fresh_stdio()


def _fresh_stdio() -> None:
    """New ``sys.stdin``/``stdout``/``stderr`` on fds 0-2, made as the interpreter makes them."""
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        open(0, "rb", closefd=False),  # noqa: SIM115
        encoding=encoding,
        errors=errors,
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        open(1, "wb", closefd=False),  # noqa: SIM115
        encoding,
        errors,
        line_buffering=os.isatty(1),
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        open(2, "wb", closefd=False),  # noqa: SIM115
        encoding,
        "backslashreplace",
        line_buffering=True,
    )


def _main(args: Sequence[str]) -> int:
    """Run ``polycast/__main__.py`` as ``-m`` runs it; end as ``Py_RunMain`` ends."""
    sys.argv = ["-m", *args]
    interrupted = False
    try:
        runpy.run_module("polycast", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        code, interrupted = 1, True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = 120 if stream is sys.stdout and code == 0 else code
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return code


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


# ----------------------------------------------------------------------------- the test's side


class _Zygote:
    """The zygote of this test process: started on first use, ended with this process."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.env = dict(os.environ)
        start = (
            f"import sys; fresh = sys.path[1:]; sys.path.insert(1, {HERE!r}); "
            f"import cli_process; cli_process.serve({theirs.fileno()}, fresh)"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", start],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=self.env,
        )
        theirs.close()
        self.control = ours
        kind, _ = _receive(ours)
        assert kind == "ready", kind
        self.lock = threading.Lock()
        atexit.register(self.close)

    def close(self) -> None:
        self.control.close()
        self.process.wait()

    def start(self, stdio: Sequence[int], request: dict[str, Any]) -> tuple[socket.socket, int]:
        """Fork a run on ``stdio``; return the connection that will tell its end, and its pid."""
        ours, theirs = socket.socketpair()
        with self.lock:
            socket.send_fds(self.control, [b"r"], [*stdio, theirs.fileno()])
        theirs.close()
        _send(ours, request)
        kind, detail = _receive(ours)
        if kind == "failed":
            ours.close()
            raise subprocess.SubprocessError(f"the run could not start:\n{detail}")
        return ours, detail

    def differs_at_startup(self, env: Mapping[str, str]) -> bool:
        """Whether ``env`` differs from the zygote's in what an interpreter reads as it starts."""
        keys = {k for k in (*env, *self.env) if k.startswith(STARTUP_VARIABLES)}
        return any(env.get(k) != self.env.get(k) for k in keys - {"PYTHONPATH"})


_zygote: _Zygote | None = None


def _the_zygote() -> _Zygote:
    global _zygote  # noqa: PLW0603
    if _zygote is None or _zygote.process.poll() is not None:
        _zygote = _Zygote()
    return _zygote


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Popen(subprocess.Popen[Any]):
    """``subprocess.Popen`` of ``python -m polycast ARGS``, forked from the zygote."""

    def _execute_child(  # type: ignore[override]  # noqa: PLR0917
        self,
        args: Sequence[str],
        executable: object,
        preexec_fn: Callable[[], object] | None,
        close_fds: bool,
        pass_fds: Sequence[int],
        cwd: str | os.PathLike[str] | None,
        env: Mapping[str, str] | None,
        startupinfo: object,
        creationflags: int,
        shell: bool,
        p2cread: int,
        p2cwrite: int,
        c2pread: int,
        c2pwrite: int,
        errread: int,
        errwrite: int,
        restore_signals: bool,
        gid: object,
        gids: object,
        uid: object,
        umask: int,
        start_new_session: bool,
        process_group: object,
    ) -> None:
        assert tuple(args[: len(COMMAND)]) == COMMAND and not shell and not pass_fds
        assert preexec_fn is None and executable is None and uid is None
        assert gid is None and gids is None
        assert process_group in (None, -1) and restore_signals
        request = {
            "args": list(args[len(COMMAND) :]),
            # What a child of this process would inherit: its folder, environment and umask now.
            "cwd": str(Path.cwd()) if cwd is None else os.fspath(cwd),
            "env": dict(os.environ if env is None else env),
            "umask": _current_umask() if umask < 0 else umask,
            "new_session": start_new_session,
        }
        stdio = [p2cread, c2pwrite, errwrite]
        stdio = [fd if fd != -1 else target for target, fd in enumerate(stdio)]
        try:
            self._connection, self.pid = _the_zygote().start(stdio, request)
        finally:
            if p2cread != -1 and p2cwrite != -1 and p2cread != getattr(self, "_devnull", None):
                os.close(p2cread)
            if c2pwrite != -1 and c2pread != -1 and c2pwrite != getattr(self, "_devnull", None):
                os.close(c2pwrite)
            if errwrite != -1 and errread != -1 and errwrite != getattr(self, "_devnull", None):
                os.close(errwrite)
            if hasattr(self, "_devnull"):
                os.close(self._devnull)
            self._closed_child_pipe_fds = True
        self._child_created = True

    def _try_wait(self, wait_flags: int) -> tuple[int, int]:
        """``waitpid`` through the connection: the middle process waits, and tells the status."""
        if wait_flags & os.WNOHANG and not select.select([self._connection], [], [], 0)[0]:
            return 0, 0
        kind, status = _receive(self._connection)
        assert kind == "ended", kind
        self._connection.close()  # the middle process reaps the run now
        return self.pid, status

    def _internal_poll(self, _deadstate: int | None = None, **_: object) -> int | None:
        if self.returncode is None and self._waitpid_lock.acquire(False):
            try:
                if self.returncode is None:
                    pid, status = self._try_wait(os.WNOHANG)
                    if pid == self.pid:
                        self._handle_exitstatus(status)  # type: ignore[attr-defined]
            except OSError:
                if _deadstate is not None:
                    self.returncode = _deadstate
            finally:
                self._waitpid_lock.release()
        return self.returncode


def fresh() -> bool:
    """Whether runs start fresh interpreters (``POLYCAST_TEST_FRESH=1``)."""
    return os.environ.get(FRESH, "") not in ("", "0")


def popen(args: Sequence[str], **options: Any) -> subprocess.Popen[Any]:
    """Start ``python -m polycast ARGS`` as ``subprocess.Popen(…, **options)`` would.

    Forked from the zygote when that is the same as a fresh start, else a fresh interpreter.
    """
    command = [*COMMAND, *args]
    env = options.get("env")
    if (
        fresh()
        or options.get("preexec_fn") is not None  # it may change what only an exec applies
        or _the_zygote().differs_at_startup(os.environ if env is None else env)
    ):
        return subprocess.Popen(command, **options)
    return Popen(command, **options)


def run(
    args: Sequence[str],
    *,
    input: str | bytes | None = None,
    timeout: float | None = None,
    check: bool = False,
    capture_output: bool = False,
    **options: Any,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` of ``python -m polycast ARGS`` (see ``popen``)."""
    if capture_output:
        options["stdout"] = options["stderr"] = subprocess.PIPE
    if input is not None:
        options["stdin"] = subprocess.PIPE
    with popen(args, **options) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except BaseException:
            process.kill()
            raise
        code = process.wait()
    if check and code:
        raise subprocess.CalledProcessError(code, process.args, stdout, stderr)
    return subprocess.CompletedProcess(process.args, code, stdout, stderr)
