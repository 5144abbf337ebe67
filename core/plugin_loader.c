/*
 * Finding and loading plugin files. A plugin runs with the caller's
 * privileges (often root, for BPF and IPMI), so a file another user could
 * have replaced (plugin_trust.c), or one that does not export the plugin
 * entry point (plugin_elf.c), is refused before anything in it runs.
 */
#include "internal.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_PLUGIN_DIR
#define EM_PLUGIN_DIR "/usr/local/lib/energymon/plugins"
#endif

/* Directories to search, in order, as one colon-separated string. */
static char *search_path(void)
{
	const char *env = getenv("ENERGYMON_PLUGIN_PATH");
	size_t n = (env ? strlen(env) + 1 : 0) + sizeof(EM_PLUGIN_DIR);
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", env ? env : "", env && *env ? ":" : "", EM_PLUGIN_DIR);
	return p;
}

/* Empty entries are skipped (they never mean the current directory); a
 * relative one is refused, as it would depend on where energymon started. */
static int check_entry(const char *entry, struct em_error *err)
{
	if (entry[0] == '/')
		return 0;
	return em_fail(err, -EINVAL, "ENERGYMON_PLUGIN_PATH: entry '%s' is a relative path; accepted: absolute "
	               "directory paths separated by ':'", entry);
}

/* The names lithops.energy_strategy accepts, so a file that could never be
 * asked for by name is not picked up by 'auto' either. */
static bool plugin_name_ok(const char *name, size_t len)
{
	if (len == 0 || len >= ENERGY_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int em_plugin_find(const char *name, char *path, size_t len, struct em_error *err)
{
	if (!plugin_name_ok(name, strlen(name)))
		return em_fail(err, -EINVAL, "plugin '%s': not a plugin name; accepted: 1 to %d lower-case letters, "
		               "digits, '_' and '-'", name, ENERGY_NAME_MAX - 1);
	char *dirs = search_path();
	if (!dirs)
		return em_fail(err, -ENOMEM, "out of memory");
	char *save = NULL;
	int rc = -ENOENT;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if ((rc = check_entry(d, err)))
			break;
		rc = -ENOENT;
		snprintf(path, len, "%s/%s.so", d, name);
		if (access(path, F_OK) == 0) {
			rc = 0;
			break;
		}
	}
	if (rc == -ENOENT) {
		char *again = search_path();
		em_fail(err, rc, "plugin '%s': no file %s.so in the plugin search path (%s); "
		        "set ENERGYMON_PLUGIN_PATH or check the name", name, name, again ? again : "?");
		free(again);
	}
	free(dirs);
	return rc;
}

int em_plugin_open(const char *path, struct em_plugin_lib *lib, struct em_error *err)
{
	memset(lib, 0, sizeof(*lib));
	/* both checks come before dlopen(), which runs the file's constructors */
	int rc = em_plugin_path_trusted(path, lib->path, sizeof(lib->path), err);
	if (rc)
		return rc;
	/* Loaded already (another instance of the plugin: a fleet's thousand
	 * ipmi sources): its constructors ran and dlopen() would not read the
	 * file again, so reading its ELF again proves nothing; it cost 17% of
	 * creating a 1000-source monitor. */
	lib->dl = dlopen(lib->path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (!lib->dl && (rc = em_plugin_elf_check(lib->path, err)))
		return rc;
	if (!lib->dl)
		lib->dl = dlopen(lib->path, RTLD_NOW | RTLD_LOCAL);
	if (!lib->dl)
		return em_fail(err, -ENOEXEC, "%s: cannot load plugin: %s", path, dlerror());
	energy_plugin_entry_fn entry;
	*(void **)&entry = dlsym(lib->dl, ENERGY_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		rc = em_fail(err, -ENOEXEC, "%s: not an energymon plugin: no symbol %s", path,
		             ENERGY_PLUGIN_ENTRY_SYMBOL);
		goto cleanup;
	}
	const struct energy_plugin *vt = entry();
	if (!vt) {
		rc = em_fail(err, -ENOEXEC, "%s: %s() returned NULL", path, ENERGY_PLUGIN_ENTRY_SYMBOL);
		goto cleanup;
	}
	if (vt->abi_major != ENERGY_PLUGIN_ABI_MAJOR) {
		rc = em_fail(err, -EPROTO, "%s: plugin ABI %u.%u is incompatible with this host's ABI %u.%u "
		             "(major versions differ); rebuild the plugin against this energy_plugin.h",
		             path, vt->abi_major, vt->abi_minor, ENERGY_PLUGIN_ABI_MAJOR, ENERGY_PLUGIN_ABI_MINOR);
		goto cleanup;
	}
	/* A 1.x plugin carries at least the 1.0 members. */
	if (vt->struct_size < offsetof(struct energy_plugin, destroy) + sizeof(vt->destroy) || !vt->name ||
	    !vt->create || !vt->start || !vt->sample || !vt->stop || !vt->destroy) {
		rc = em_fail(err, -EPROTO, "%s: malformed plugin descriptor (struct_size %u, or a required "
		             "method or name is missing)", path, vt->struct_size);
		goto cleanup;
	}
	lib->vt = vt;
	/* A plugin of a later minor is welcome: what it appended past the
	 * members this host knows is never read. One built for an earlier
	 * minor may end before the 1.1 members: those are read only when its
	 * struct_size covers them. 1.2 appended nothing here (its members are
	 * the host's: flags, emit_target, which a plugin checks against the
	 * host's struct_size), so a 1.1 and a 1.2 descriptor read alike. */
	if (ENERGY_HAS_MEMBER(vt, struct energy_plugin, set_targets))
		lib->set_targets = vt->set_targets;
	return 0;
cleanup:
	dlclose(lib->dl);
	lib->dl = NULL;
	return rc;
}

void em_plugin_close(struct em_plugin_lib *lib)
{
	if (lib->dl)
		dlclose(lib->dl);
	lib->dl = NULL;
	lib->vt = NULL;
}

static int seen_before(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int em_plugin_scan(void (*fn)(const char *name, const char *path, void *arg), void *arg, struct em_error *err)
{
	char *dirs = search_path();
	if (!dirs)
		return em_fail(err, -ENOMEM, "out of memory");
	char **names = NULL;
	size_t n = 0;
	char *save = NULL;
	int rc = 0;
	for (char *d = strtok_r(dirs, ":", &save); d && !rc; d = strtok_r(NULL, ":", &save)) {
		if ((rc = check_entry(d, err)))
			break;
		DIR *dir = opendir(d);
		if (!dir)
			continue;
		/* readdir order is arbitrary; plugins are reported per directory as found */
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			/* NAME.so with a name one could ask for; whether it really is
			 * a plugin, em_plugin_open() checks before loading it */
			if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0 || !plugin_name_ok(e->d_name, len - 3))
				continue;
			char name[ENERGY_NAME_MAX];
			snprintf(name, sizeof(name), "%.*s", (int)(len - 3), e->d_name);
			if (seen_before(names, n, name))
				continue;
			char **grown = realloc(names, (n + 1) * sizeof(*names));
			if (!grown || !(grown[n] = strdup(name))) {
				names = grown ? grown : names;
				rc = em_fail(err, -ENOMEM, "out of memory");
				break;
			}
			names = grown;
			n++;
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
			fn(name, path, arg);
		}
		closedir(dir);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dirs);
	return rc;
}
