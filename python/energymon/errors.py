"""The one exception the binding raises."""


class EnergyMonitorError(Exception):
    """A failure reported by the energymon C library, or by the binding
    before it could ask the library.

    ``str(error)`` is the library's own message, unchanged (it names the key,
    file, plugin or host at fault); ``errno`` is the positive errno value
    (``errno.EINVAL`` for a bad configuration, ``errno.ENOENT`` for a missing
    plugin, ...).
    """

    def __init__(self, message, errno_value):
        super().__init__(message)
        self.message = message
        self.errno = errno_value

    def __str__(self):
        return self.message
