"""Loading libenergymon.so with ctypes and declaring its functions.

The library is looked for in this order, and the error says every place
tried: $ENERGYMON_LIBRARY (a file), the build tree
($ENERGYMON_BUILD_ROOT/core/libenergymon.so), then the system's library
search (ctypes.util.find_library).
"""

import ctypes
import ctypes.util
import errno
import functools
import os

from .errors import EnergyMonitorError

MESSAGE_SIZE = 1024  # struct em_error.message in energymon.h


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * MESSAGE_SIZE)]


def _candidates():
    tried = []
    explicit = os.environ.get("ENERGYMON_LIBRARY")
    if explicit:
        tried.append(explicit)
    build_root = os.environ.get("ENERGYMON_BUILD_ROOT")
    if build_root:
        tried.append(os.path.join(build_root, "core", "libenergymon.so"))
    found = ctypes.util.find_library("energymon")
    if found:
        tried.append(found)
    return tried


def _declare(lib):
    P = ctypes.c_void_p
    err = ctypes.POINTER(_Error)
    out = ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        "em_config_load_string": (ctypes.c_int, [ctypes.c_char_p, out, err]),
        "em_config_energy_enabled": (ctypes.c_int, [P]),
        "em_config_output_dir": (ctypes.c_char_p, [P]),
        "em_config_free": (None, [P]),
        "em_monitor_create": (ctypes.c_int, [P, ctypes.c_int, out, err]),
        "em_monitor_start": (ctypes.c_int, [P, err]),
        "em_monitor_stop": (ctypes.c_int, [P, err]),
        # char * the caller frees: kept as a raw pointer so it can be freed.
        "em_monitor_result_json": (P, [P]),
        "em_monitor_write_files": (ctypes.c_int,
                                   [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, err]),
        "em_monitor_destroy": (None, [P]),
        "em_plugins_list_json": (P, [P]),
        "em_plugins_list": (ctypes.c_int, [P, out, err]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


class Native:
    """The loaded library plus libc's free() for the strings it returns."""

    def __init__(self, path):
        self.path = path
        self.lib = ctypes.CDLL(path)
        _declare(self.lib)
        # free() as the process resolves it, i.e. the same allocator the
        # library's malloc() came from even when one is preloaded (jemalloc,
        # a sanitizer); libc.so.6's own free() would then be the wrong one.
        self._free = ctypes.CDLL(None).free
        self._free.restype = None
        self._free.argtypes = [ctypes.c_void_p]

    def call(self, function, *args):
        """Calls a function whose last argument is struct em_error *, and
        turns a failure into EnergyMonitorError with the library's message."""
        error = _Error()
        code = getattr(self.lib, function)(*args, ctypes.byref(error))
        if code != 0:
            message = error.message.decode("utf-8", "replace") or "%s failed" % function
            raise EnergyMonitorError(message, -code if code < 0 else errno.EIO)

    def take_string(self, pointer):
        """Copies and frees a malloc'd NUL-terminated string from the library."""
        if not pointer:
            raise EnergyMonitorError("out of memory", errno.ENOMEM)
        try:
            return ctypes.string_at(pointer).decode("utf-8")
        finally:
            self._free(pointer)


@functools.lru_cache(maxsize=None)
def _load(candidates):
    reasons = []
    for path in candidates:
        try:
            return Native(path)
        except OSError as exc:
            reasons.append("%s (%s)" % (path, exc))
    raise EnergyMonitorError(
        "libenergymon.so not found; tried: %s. Set ENERGYMON_LIBRARY to the library file, "
        "or ENERGYMON_BUILD_ROOT to a build directory"
        % ("; ".join(reasons) if reasons else "no candidate (none of ENERGYMON_LIBRARY, "
           "ENERGYMON_BUILD_ROOT set, and the system search found nothing)"),
        errno.ENOENT)


def load():
    """The library, loaded once per process for each set of candidates."""
    return _load(tuple(_candidates()))
