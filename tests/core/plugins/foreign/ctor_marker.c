/*
 * Not a plugin: a shared object with a constructor that creates the file
 * named by $ENERGYMON_TEST_CTOR_MARKER, and no energymon_plugin_entry. If
 * the loader ever dlopen()s it, the marker file shows that foreign code ran.
 * -DWITH_ENTRY_DATA: exports energymon_plugin_entry as data, not a function.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void leave_marker(void)
{
	const char *path = getenv("ENERGYMON_TEST_CTOR_MARKER");
	if (!path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

#ifdef WITH_ENTRY_DATA
__attribute__((visibility("default"))) int energymon_plugin_entry = 1;
#else
__attribute__((visibility("default"))) int unrelated_export = 1;
#endif
