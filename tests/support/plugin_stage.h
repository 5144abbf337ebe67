/*
 * plugin_stage.h — a copy of a built plugin that any user can load.
 *
 * Tests that drop to an unprivileged user (uid 65534) cannot reach the build
 * tree when the checkout lives in a 0700 directory (mktemp -d, a home dir).
 * They load a copy instead, in a fresh directory under /tmp owned by the
 * caller (root when tests run as root) and mode 0755: traversable by every
 * user, writable by none but its owner, which is also what the host's plugin
 * loader asks of a plugin's directories.
 */
#ifndef PLUGIN_STAGE_H
#define PLUGIN_STAGE_H

#include <limits.h>

struct plugin_stage {
	char dir[PATH_MAX];  /* the new directory; "" when nothing was staged */
	char path[PATH_MAX]; /* dir/NAME.so */
	char error[512];
};

/* Copy NAME.so, found on $ENERGYMON_PLUGIN_PATH, to a new /tmp directory.
 * Returns 0, or -errno with st->error saying what failed. */
int plugin_stage(struct plugin_stage *st, const char *name);
/* Remove the copy and its directory; safe to repeat. */
void plugin_unstage(struct plugin_stage *st);

#endif
