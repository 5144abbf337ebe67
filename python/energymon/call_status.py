"""The flat fields a Lithops worker puts into its call status.

The Lithops worker reports energy to the client with
``call_status.add(key, value)``, one call per key; the call status is how
the numbers reach the client when a worker's disk is thrown away. These are
the keys it used, built from the dict ``get_energy_data()`` returns.
"""

PREFIX = "worker_func_energy_"
# Kept under their old perf names as well: Lithops clients read them so.
PERF_ALIASES = {"pkg": "worker_func_perf_energy_pkg", "cores": "worker_func_perf_energy_cores"}


def fields(energy_data):
    """``worker_func_energy_<metric>`` for every key of ``energy`` (J or W,
    as ``units`` says; None where nothing was measured),
    ``worker_func_energy_duration`` (s), ``worker_func_energy_source``,
    ``worker_func_perf_energy_pkg``/``_cores`` when those metrics exist, and
    for a composite ``worker_func_energy_monitor_<name>`` with each
    source's own dict."""
    energy = energy_data.get("energy") or {}
    result = {PREFIX + metric: value for metric, value in energy.items()}
    result[PREFIX + "duration"] = energy_data.get("duration")
    result[PREFIX + "source"] = energy_data.get("source")
    for metric, key in PERF_ALIASES.items():
        if metric in energy:
            result[key] = energy[metric]
    for name, source_data in (energy_data.get("monitors") or {}).items():
        result[PREFIX + "monitor_" + name] = source_data
    return result
