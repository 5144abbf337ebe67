"""energymon: measure the energy a process uses, over the energymon C
library (libenergymon.so), with the Lithops energy monitors' interface.

    from energymon import IPMIEnergyMonitor
    monitor = IPMIEnergyMonitor(os.getpid(), {'ipmi_host': 'localhost'})
"""

from .errors import EnergyMonitorError
from .monitor import CompositeEnergyMonitor, EnergyMonitor, IPMIEnergyMonitor, list_plugins

__all__ = ["EnergyMonitor", "IPMIEnergyMonitor", "CompositeEnergyMonitor", "EnergyMonitorError",
           "list_plugins"]
__version__ = "0.1.0"
