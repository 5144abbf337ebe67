/* power_plot_unavailable.c — the plot when energymon was built without
 * PLplot: the rest of the report works, --plot says what is missing. */
#include "power_plot.h"

#include <errno.h>

int power_plot_write(const struct trace_set *set, const char *path, FILE *errors)
{
	(void)set;
	fprintf(errors, "report: cannot plot to %s: energymon was built without PLplot "
	        "(Debian: libplplot-dev, and plplot-driver-cairo to run)\n", path);
	return -ENOTSUP;
}
