"""Process lifetimes and loopback HTTP for the Prometheus integration test
and the Prometheus CPU benchmark (bench/prometheus/).

Every process started here dies with the test: it gets SIGKILL from the
kernel when the test process exits (PR_SET_PDEATHSIG), even when the test
itself is killed by meson's timeout, and `Supervisor.stop_all()` ends them
(SIGTERM, then SIGKILL) on every normal or failing exit."""

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

PR_SET_PDEATHSIG = 1


def _child_setup(then):
    def setup():  # runs in the child between fork and exec
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if then is not None:
            then()
    return setup


def free_tcp_port():
    """A TCP port free on 127.0.0.1 right now (another process may take it
    before ours binds it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url, timeout=5.0, accept=None):
    """(status, body as text) of a GET on loopback; status 0 when nothing
    answered (connection refused, timeout)."""
    request = urllib.request.Request(url)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read(16 << 20).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(1 << 20).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return 0, ""


def wait_until(what, predicate, timeout_s, poll_s=0.1):
    """Polls predicate() until it returns something true; raises naming
    `what` when timeout_s passes first."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("%s: not within %.0f s" % (what, timeout_s))
        time.sleep(poll_s)


class Supervisor:
    """Starts processes with their output in files under a private dir, and
    ends all of them."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.children = {}  # name -> Popen

    def start(self, name, argv, env=None, setup=None):
        """setup: called in the child before exec (e.g. to enter a cgroup)."""
        log = open(os.path.join(self.log_dir, name + ".log"), "ab")
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True,
                                     preexec_fn=_child_setup(setup))
        finally:
            log.close()
        self.children[name] = child
        return child

    def log_tail(self, name, lines=20):
        try:
            with open(os.path.join(self.log_dir, name + ".log"), "rb") as f:
                text = f.read()[-8192:].decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self, name):
        child = self.children[name]
        if child.poll() is not None:
            raise RuntimeError("%s exited with %s; its log ends:\n%s"
                               % (name, child.returncode, self.log_tail(name)))

    def stop(self, name, grace_s=10.0):
        """SIGTERM, then SIGKILL after grace_s; returns the exit status
        (negative: the signal that ended it)."""
        child = self.children.pop(name, None)
        if child is None:
            return None
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(grace_s)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        # What it started and left behind (ipmi_exporter's FreeIPMI tools)
        # is still in its process group.
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return child.returncode

    def stop_all(self):
        for name in list(self.children):
            self.stop(name, grace_s=5.0)
