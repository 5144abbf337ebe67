"""EnergyMonitor: the seed's monitor classes over the C library."""

import copy
import ctypes
import errno
import json
import os
import threading
import weakref

from . import _native
from . import call_status as _call_status
from . import config as _config
from .errors import EnergyMonitorError


def _release(native, monitor):
    if monitor.value:
        native.lib.em_monitor_destroy(monitor)
        monitor.value = None


# Every monitor that holds a C monitor in this process, so that a fork()ed
# child can disown them all before any of its code runs. Process-wide like
# fork() itself; weak, so it keeps no monitor alive.
_owned_monitors = weakref.WeakSet()


def _disown_after_fork():
    for monitor in list(_owned_monitors):
        monitor._disown()
    _owned_monitors.clear()


os.register_at_fork(after_in_child=_disown_after_fork)


class EnergyMonitor:
    """Measures the process tree rooted at `process_id` (0: the whole
    machine) with the sources `config` names, as Lithops did:

        monitor = EnergyMonitor(os.getpid(), config)
        monitor.start(); ...; monitor.stop()
        data = monitor.get_energy_data()   # data['energy'].get('system') in J

    `config` is the Lithops dict: lithops.energy (False: a monitor that
    does nothing and never loads the library), lithops.energy_strategy ('auto',
    'ipmi', 'ipmi,perf' or a list), energy_sampling_interval (s),
    energy_output_dir, ipmi_* and the other plugins' keys. Several instances
    of one plugin: strategy ['ipmi:rack1', 'ipmi:rack2'], each with its own
    section {'ipmi:rack1': {'ipmi_host': ...}} over the top-level keys; the
    result names each source by its id ('ipmi:rack1'). A key set to None
    counts as not set. One monitor must not be used from two threads at
    once; calls are serialised to make that safe anyway. A monitor belongs
    to the process that created it: in a fork()ed child its calls raise.
    """

    _default_strategy = None
    _always_composite = False

    def __init__(self, process_id, config=None):
        # Linux pids are below 2**22; anything else would be wrapped by ctypes
        # into some other process (or 0, the whole machine)
        if isinstance(process_id, bool) or not isinstance(process_id, int) \
                or not 0 <= process_id < 2 ** 22:
            raise EnergyMonitorError("process_id: %r is not a process id; expected an int from 0 (the "
                                     "whole machine) to 4194303" % (process_id,), errno.EINVAL)
        self.process_id = process_id
        self.config = _config.normalise(config, self._default_strategy)
        self.enabled = _config.energy_enabled(self.config)
        names = _config.strategy_names(self.config)
        # The seed's factory made a single monitor for one name and a
        # composite for a list; get_energy_data() answers in the same shape.
        strategy = self.config.get("lithops", {}).get("energy_strategy")
        self._single = (None if self._always_composite or not isinstance(strategy, str)
                        or names is None or len(names) != 1 else names[0])
        self._lock = threading.Lock()
        self._result = None
        self._started = self._stopped = False
        self._native = None
        self._handle = ctypes.c_void_p()
        self._finalizer = None
        self._owner_pid = None  # set while this process owns a C monitor
        self.output_dir = self.config.get("energy_output_dir", "energy_data")
        if self.enabled:
            self._create()

    def _create(self):
        native = _native.load()
        cfg = ctypes.c_void_p()
        native.call("em_config_load_string",
                    _config.to_json(_config.with_binding_defaults(self.config)).encode("utf-8"),
                    ctypes.byref(cfg))
        try:
            self.output_dir = os.fsdecode(native.lib.em_config_output_dir(cfg))
            native.call("em_monitor_create", cfg, self.process_id, ctypes.byref(self._handle))
        finally:
            # The monitor keeps its own copy of the configuration.
            native.lib.em_config_free(cfg)
        self._native = native
        self._finalizer = weakref.finalize(self, _release, native, self._handle)
        self._owner_pid = os.getpid()
        _owned_monitors.add(self)

    def _disown(self):
        # Runs in a fork()ed child, whose copy of the C monitor has none of
        # the parent's sampling threads (fork copies only the calling thread):
        # stopping or freeing it would wait for threads that do not exist here
        # and would report the parent's readings as the child's. The child
        # leaves that copy alone, also at exit.
        self._finalizer.detach()
        self._lock = threading.Lock()  # another thread may have held it at fork()

    def _require_owned(self):
        if self._owner_pid is not None and self._owner_pid != os.getpid():
            raise EnergyMonitorError(
                "this monitor belongs to process %d, and process %d is a fork()ed child of it: "
                "a monitor cannot be used across fork(); create a new one in the child"
                % (self._owner_pid, os.getpid()), errno.EPERM)

    def _require_open(self):
        self._require_owned()
        # After close() the C monitor is gone: calling into it would crash.
        if self.enabled and not self._handle.value:
            raise EnergyMonitorError("monitor closed: create a new one", errno.EBADF)

    def start(self):
        """Measurement begins. Raises EnergyMonitorError if a plugin cannot."""
        with self._lock:
            self._require_open()
            if self.enabled:
                self._native.call("em_monitor_start", self._handle)
            self._started = True

    def stop(self):
        """Measurement ends; the result is then available."""
        with self._lock:
            if not self.enabled:
                self._stopped = True
                return
            self._require_open()
            self._native.call("em_monitor_stop", self._handle)
            self._stopped = True
            text = self._native.take_string(self._native.lib.em_monitor_result_json(self._handle))
            self._result = json.loads(text)

    def get_energy_data(self):
        """The result as a dict: 'energy' (keys such as 'system', 'pkg' in J,
        'avg_power' in W; 'units' names each unit), 'duration' (s), 'source'
        and, for a composite, 'monitors' with each source's own dict. With
        one source named (e.g. strategy 'ipmi') it is that source's dict,
        as the seed's IPMIEnergyMonitor returned. A missing number is None
        with a 'reason', never 0."""
        with self._lock:
            self._require_owned()
            if not self.enabled:
                return {"source": "disabled", "energy": {}, "units": {}, "duration": None,
                        "placeholder": True,
                        "reason": "lithops.energy is false: nothing was measured"}
            if self._result is None:
                raise EnergyMonitorError("no result yet: call stop() before get_energy_data()",
                                         errno.EINVAL)
            # A copy: what the caller changes must not change the next answer.
            if self._single is not None:
                own = self._result.get("monitors", {}).get(self._single)
                if own is not None:
                    return copy.deepcopy(own)
            return copy.deepcopy(self._result)

    @property
    def measured_by(self):
        """Who measured, once stopped: 'agent' (energymond, per the key
        energy_agent; get_energy_data()['agent'] names its socket and
        version) or 'in-process' (this process's plugins); None before
        stop() and when lithops.energy is False."""
        with self._lock:
            return None if self._result is None else self._result.get("measured_by")

    def call_status_fields(self):
        """The flat dict a Lithops worker adds to its call status, one
        call_status.add(key, value) per item: worker_func_energy_<metric> for
        every key of get_energy_data()['energy'], worker_func_energy_duration
        (s), worker_func_energy_source, worker_func_perf_energy_pkg/_cores
        when those metrics exist and, for a composite,
        worker_func_energy_monitor_<name> with each source's dict."""
        return _call_status.fields(self.get_energy_data())

    def write_files(self, job_key, call_id, directory=None):
        """Writes {job_key}_{call_id}_{source}.json for every source (an
        instance's files are tagged 'ipmi-rack1' for source 'ipmi:rack1') and the
        composite into `directory` (default: energy_output_dir, else
        energy_data), each atomically, and appends one line per source to
        {source}_summary.jsonl; safe with many writers on one directory.
        Returns the paths of the per-call files."""
        with self._lock:
            self._require_owned()
            if not self.enabled:
                return []
            if self._result is None:
                raise EnergyMonitorError("no result yet: call stop() before write_files()",
                                         errno.EINVAL)
            self._require_open()
            target = directory if directory is not None else self.output_dir
            self._native.call("em_monitor_write_files", self._handle,
                              os.fsencode(target), str(job_key).encode("utf-8"),
                              str(call_id).encode("utf-8"))
            sources = list(self._result.get("monitors", {})) + ["composite"]
            return [os.path.join(target, "%s_%s_%s.json" % (job_key, call_id, _config.file_tag(source)))
                    for source in sources]

    def close(self):
        """Frees the C monitor now rather than at garbage collection. In a
        fork()ed child it does nothing: the parent owns the C monitor."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, traceback):
        if not self._started or self._stopped:
            return False
        try:
            self.stop()
        except EnergyMonitorError:
            # Do not hide the exception that ended the block.
            if exc_type is None:
                raise
        return False


class IPMIEnergyMonitor(EnergyMonitor):
    """The seed's IPMI monitor: strategy 'ipmi' unless the config names one."""

    _default_strategy = "ipmi"


class CompositeEnergyMonitor(EnergyMonitor):
    """The seed's composite monitor: get_energy_data() always returns the
    composite dict (source 'composite', 'monitors' per source)."""

    _always_composite = True


def list_plugins(config=None):
    """Every plugin on the search path with whether it can run here and why
    not: a list of dicts (name, file, version, available, reason, ...)."""
    native = _native.load()
    cfg = ctypes.c_void_p()
    if config is not None:
        native.call("em_config_load_string",
                    _config.to_json(_config.normalise(config)).encode("utf-8"), ctypes.byref(cfg))
    try:
        text = ctypes.c_void_p()
        native.call("em_plugins_list", cfg, ctypes.byref(text))
        return json.loads(native.take_string(text.value))
    finally:
        if cfg.value:
            native.lib.em_config_free(cfg)
