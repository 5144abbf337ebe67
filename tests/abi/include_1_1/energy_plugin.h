/* The frozen ABI 1.1 header under the name plugins include: a plugin built
 * with -I tests/abi/include_1_1 (and not include/) is a 1.1 plugin. */
#include "../energy_plugin_1_1.h"
#if ENERGY_PLUGIN_ABI_MAJOR != 1 || ENERGY_PLUGIN_ABI_MINOR != 1
#error "tests/abi/include_1_1 must give the frozen 1.1 header"
#endif
