#include "plugin_harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct energy_config_key *declared(const struct harness *h, const char *key)
{
	for (const struct energy_config_key *k = h->plugin->config_keys; k && k->name; k++)
		if (strcmp(k->name, key) == 0)
			return k;
	return NULL;
}

static int h_config_get(void *ctx, const char *key, struct energy_config_value *out)
{
	struct harness *h = ctx;
	const struct energy_config_key *k = declared(h, key);
	if (!k)
		return -EINVAL;
	if (h->failing_key && strcmp(h->failing_key, key) == 0)
		return h->failing_rc;
	for (size_t i = 0; i < h->nkeys; i++) {
		if (strcmp(h->keys[i], key) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->type = k->type;
		const char *v = h->values[i];
		switch (k->type) {
		case ENERGY_CONFIG_STRING: out->string = v; break;
		case ENERGY_CONFIG_NUMBER: out->number = strtod(v, NULL); break;
		case ENERGY_CONFIG_BOOL: out->boolean = strcmp(v, "true") == 0; break;
		case ENERGY_CONFIG_STRING_LIST: {
			size_t n = 0;
			while (n < 15 && h->list_items[i][n])
				n++;
			out->list = h->list_items[i];
			out->list_len = n;
			break;
		}
		default: return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

static void h_log(void *ctx, int level, const char *fmt, ...)
{
	struct harness *h = ctx;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t used = strlen(h->log);
	snprintf(h->log + used, sizeof(h->log) - used, "[%d] %s\n", level, line);
	if (getenv("HARNESS_VERBOSE"))
		fprintf(stderr, "plugin log [%d]: %s\n", level, line);
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int h_emit(void *ctx, const struct energy_reading *r)
{
	struct harness *h = ctx;
	if (h->nreadings == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct energy_reading *p = realloc(h->readings, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		h->readings = p;
		h->cap = cap;
	}
	struct energy_reading *dst = &h->readings[h->nreadings++];
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, r, r->struct_size < sizeof(*dst) ? r->struct_size : sizeof(*dst));
	if (!dst->mono_ns)
		dst->mono_ns = now_ns(CLOCK_MONOTONIC);
	if (!dst->wall_ns)
		dst->wall_ns = now_ns(CLOCK_REALTIME);
	return 0;
}

static void h_set_error(void *ctx, const char *fmt, ...)
{
	struct harness *h = ctx;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->error, sizeof(h->error), fmt, ap);
	va_end(ap);
}

static struct harness_note *note_slot(struct harness *h, const char *key)
{
	for (size_t i = 0; i < h->nnotes; i++)
		if (strcmp(h->notes[i].key, key) == 0)
			return &h->notes[i];
	if (h->nnotes == sizeof(h->notes) / sizeof(h->notes[0]))
		return NULL;
	struct harness_note *n = &h->notes[h->nnotes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->key, sizeof(n->key), "%s", key);
	return n;
}

static int h_note_string(void *ctx, const char *key, const char *value)
{
	struct harness_note *n = note_slot(ctx, key);
	if (!n)
		return -ENOSPC;
	n->is_number = 0;
	snprintf(n->text, sizeof(n->text), "%s", value);
	return 0;
}

static int h_note_number(void *ctx, const char *key, double value, const char *unit)
{
	struct harness_note *n = note_slot(ctx, key);
	if (!n)
		return -ENOSPC;
	n->is_number = 1;
	n->number = value;
	snprintf(n->unit, sizeof(n->unit), "%s", unit ? unit : "");
	return 0;
}

static int h_require_interval(void *ctx, double max_interval_s)
{
	struct harness *h = ctx;
	if (!(max_interval_s > 0) || max_interval_s > 1e9)
		return -EINVAL;
	h->required_interval_s = max_interval_s;
	return 0;
}

static int find_on_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("ENERGYMON_PLUGIN_PATH");
	if (!path)
		return -ENOENT;
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int rc = -ENOENT;
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s.so", dir, name);
		FILE *f = fopen(out, "rb");
		if (f) {
			fclose(f);
			rc = 0;
			break;
		}
	}
	free(copy);
	return rc;
}

int harness_load(struct harness *h, const char *so_path)
{
	memset(h, 0, sizeof(*h));
	char path[PATH_MAX];
	if (strchr(so_path, '/'))
		snprintf(path, sizeof(path), "%s", so_path);
	else if (find_on_path(so_path, path, sizeof(path)) != 0) {
		snprintf(h->error, sizeof(h->error), "%s.so not found on ENERGYMON_PLUGIN_PATH", so_path);
		return -ENOENT;
	}
	h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h->dl) {
		snprintf(h->error, sizeof(h->error), "%s", dlerror());
		return -ENOENT;
	}
	energy_plugin_entry_fn entry = (energy_plugin_entry_fn)dlsym(h->dl, ENERGY_PLUGIN_ENTRY_SYMBOL);
	if (!entry || !(h->plugin = entry())) {
		snprintf(h->error, sizeof(h->error), "%s: no entry symbol", path);
		return -ENOEXEC;
	}
	h->host.struct_size = sizeof(h->host);
	h->host.abi_major = ENERGY_PLUGIN_ABI_MAJOR;
	h->host.abi_minor = ENERGY_PLUGIN_ABI_MINOR;
	h->host.ctx = h;
	h->host.interval_s = 1.0;
	h->host.config_get = h_config_get;
	h->host.log = h_log;
	h->host.emit = h_emit;
	h->host.set_error = h_set_error;
	h->host.note_string = h_note_string;
	h->host.note_number = h_note_number;
	h->host.require_interval = h_require_interval;
	harness_init_metrics(h);
	return 0;
}

int harness_set(struct harness *h, const char *key, const char *value)
{
	if (h->nkeys == HARNESS_MAX_KEYS)
		return -ENOSPC;
	size_t i = h->nkeys++;
	h->keys[i] = strdup(key);
	h->values[i] = strdup(value);
	/* split lists on commas into a second copy */
	char *copy = strdup(value), *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, ",", &save); t && n < 15; t = strtok_r(NULL, ",", &save))
		h->list_items[i][n++] = t;
	if (n == 0)
		free(copy);
	h->list_items[i][n] = NULL;
	return 0;
}

void harness_fail_key(struct harness *h, const char *key, int rc)
{
	h->failing_key = key;
	h->failing_rc = rc;
}

void harness_set_target(struct harness *h, long long pid, double interval_s)
{
	h->host.target_pid = pid;
	h->host.interval_s = interval_s;
}

int harness_probe(struct harness *h)
{
	if (!h->plugin->probe)
		return 0;
	return h->plugin->probe(&h->host, h->error, sizeof(h->error));
}

int harness_create(struct harness *h)
{
	h->declaring = 1;
	int rc = h->plugin->create(&h->host, &h->instance, h->error, sizeof(h->error));
	h->declaring = 0;
	if (rc != 0)
		h->nmetrics = 0; /* a failed create leaves nothing behind */
	return rc;
}

static int matches(const struct energy_reading *r, const char *sensor, unsigned q)
{
	return (!sensor || strcmp(r->sensor, sensor) == 0) && (!q || r->quantity == q);
}

size_t harness_count(const struct harness *h, const char *sensor, unsigned q)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nreadings; i++)
		n += matches(&h->readings[i], sensor, q);
	return n;
}

const struct energy_reading *harness_last(const struct harness *h, const char *sensor, unsigned q)
{
	for (size_t i = h->nreadings; i-- > 0;)
		if (matches(&h->readings[i], sensor, q))
			return &h->readings[i];
	return NULL;
}

const struct harness_note *harness_note(const struct harness *h, const char *key)
{
	for (size_t i = 0; i < h->nnotes; i++)
		if (strcmp(h->notes[i].key, key) == 0)
			return &h->notes[i];
	return NULL;
}

void harness_clear_readings(struct harness *h)
{
	h->nreadings = 0;
}

void harness_close(struct harness *h)
{
	if (h->instance && h->plugin)
		h->plugin->destroy(h->instance);
	h->instance = NULL;
	for (size_t i = 0; i < h->nkeys; i++) {
		free(h->keys[i]);
		free(h->values[i]);
		if (h->list_items[i][0])
			free((void *)h->list_items[i][0]);
	}
	h->nkeys = 0;
	free(h->readings);
	h->readings = NULL;
	if (h->dl)
		dlclose(h->dl);
	h->dl = NULL;
}
