/* The frozen ABI 1.0 header under the name plugins include: a plugin built
 * with -I tests/abi/include_1_0 (and not include/) is a 1.0 plugin. */
#include "../energy_plugin_1_0.h"
#if ENERGY_PLUGIN_ABI_MAJOR != 1 || ENERGY_PLUGIN_ABI_MINOR != 0
#error "tests/abi/include_1_0 must give the frozen 1.0 header"
#endif
