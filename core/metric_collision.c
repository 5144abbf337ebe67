/*
 * A declared metric's key names one plugin's metric in every result and
 * file, so two different plugins declaring the same key in one monitor is a
 * load error naming both (a composite key "gpu0_energy" must not mean two
 * things). Instances of one plugin share their keys by design: results
 * qualify those by the source id ("gpu0_energy@mygpu:a").
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* The first declared key of `b` that `a` also declares, or NULL. */
static const char *shared_key(const struct em_source *a, const struct em_source *b)
{
	for (size_t i = 0; i < a->nseries; i++) {
		const struct em_series *s = &a->series[i];
		if (!s->declared || !s->key[0])
			continue;
		for (size_t j = 0; j < b->nseries; j++)
			if (b->series[j].declared && strcmp(b->series[j].key, s->key) == 0)
				return s->key;
	}
	return NULL;
}

int em_check_metric_keys(struct em_source *const *sources, size_t n, struct em_error *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const struct em_source *a = sources[i], *b = sources[j];
			if (!a->available || !b->available || strcmp(a->plugin, b->plugin) == 0)
				continue;
			const char *key = shared_key(a, b);
			if (key)
				return em_fail(err, -EEXIST, "metric key '%s' is declared by plugin '%s' (%s) and by plugin "
				               "'%s' (%s): a key names one plugin's metric; select only one of them or "
				               "rename the key in one", key, a->plugin, a->lib.path, b->plugin, b->lib.path);
		}
	return 0;
}
