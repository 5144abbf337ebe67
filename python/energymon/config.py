"""Turning a Lithops config dict into the JSON the C library reads."""

import copy
import errno
import json

from .errors import EnergyMonitorError


def _without_none(mapping):
    # The seed's configs say "no value" with None (ipmi_username: None);
    # the library reads an absent key as "use the default", and would
    # reject null as a value of the wrong type.
    return {key: value for key, value in mapping.items() if value is not None}


def is_section(key):
    """An instance's section, {"ipmi:rack1": {"ipmi_host": ...}}: its keys
    overlay the top-level ones for the source "ipmi:rack1" only."""
    return isinstance(key, str) and ":" in key


def file_tag(source):
    """How a source id appears in file names: "ipmi:rack1" -> "ipmi-rack1"."""
    return source.replace(":", "-")


def normalise(config, default_strategy=None):
    """A deep copy of `config` ready for json.dumps: None values dropped
    (top level, under 'lithops' and in instance sections such as
    'ipmi:rack1'), and `default_strategy` set as lithops.energy_strategy
    when the config does not name one."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise EnergyMonitorError(
            "config: expected a dict such as {'lithops': {'energy': True}}, got %s"
            % type(config).__name__, errno.EINVAL)
    result = _without_none(copy.deepcopy(config))
    for key, value in result.items():
        if is_section(key) and isinstance(value, dict):
            result[key] = _without_none(value)
    lithops = result.get("lithops")
    if isinstance(lithops, dict):
        lithops = _without_none(lithops)
        result["lithops"] = lithops
    if default_strategy is not None:
        if lithops is None:
            lithops = result["lithops"] = {}
        if isinstance(lithops, dict):
            lithops.setdefault("energy_strategy", default_strategy)
    return result


def with_binding_defaults(config):
    """`config` with the binding's own defaults for what it leaves unset:
    energy_allow_unavailable is true, because the Lithops worker's function
    must run even where a source cannot measure (the seed promised placeholder
    data and "continue running without errors"). A source that cannot run is
    then a placeholder with its reason; configuration errors still raise."""
    result = dict(config)
    result.setdefault("energy_allow_unavailable", True)
    return result


def energy_enabled(config):
    """lithops.energy, default True. Only an explicit False disables: the
    library checks the type of anything else."""
    lithops = (config or {}).get("lithops")
    return not (isinstance(lithops, dict) and lithops.get("energy") is False)


def strategy_names(config):
    """The sources the config names, as the library will read them, or
    None for 'auto' (also when unset)."""
    strategy = ((config or {}).get("lithops") or {}).get("energy_strategy", "auto")
    if isinstance(strategy, str):
        names = [part.strip() for part in strategy.split(",")]
    elif isinstance(strategy, (list, tuple)):
        names = [part.strip() if isinstance(part, str) else part for part in strategy]
    else:
        return None
    return None if names == ["auto"] else names


def to_json(config):
    try:
        return json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise EnergyMonitorError("config: cannot be written as JSON: %s" % exc, errno.EINVAL)
