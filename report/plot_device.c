/* plot_device.c — which PLplot device draws a file, from its extension;
 * shared by the real plot and the stub built without PLplot. */
#include "power_plot.h"

#include <string.h>
#include <strings.h>

const char *power_plot_device_for(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot == NULL)
		return NULL;
	if (strcasecmp(dot, ".svg") == 0)
		return "svgcairo";
	if (strcasecmp(dot, ".png") == 0)
		return "pngcairo";
	return NULL;
}
