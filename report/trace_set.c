/* trace_set.c — loading a directory of per-call energy files. */
#include "trace_set.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum file_kind { FILE_TRACE, FILE_DERIVED, FILE_UNKNOWN };

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* {job_key}_{call_id}_{source}.json, any source: whether it is one is
 * decided by its contents (energy_trace.h), never by the plugin's name. */
static enum file_kind classify(const char *name)
{
	if (ends_with(name, "_summary.json") || ends_with(name, "_summary.jsonl") ||
	    ends_with(name, "_composite.json"))
		return FILE_DERIVED;
	const char *first_sep = strchr(name, '_');
	const char *last_sep = strrchr(name, '_');
	if (ends_with(name, ".json") && first_sep != NULL && first_sep != name && last_sep > first_sep + 1 &&
	    strcmp(last_sep, "_.json") != 0)
		return FILE_TRACE;
	return FILE_UNKNOWN;
}

static int append(struct trace_set *set, size_t *capacity, const struct energy_trace *trace)
{
	if (set->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 16;
		struct energy_trace *bigger = realloc(set->traces, grown * sizeof *bigger);
		if (bigger == NULL)
			return -ENOMEM;
		set->traces = bigger;
		*capacity = grown;
	}
	set->traces[set->count++] = *trace;
	return 0;
}

/* Hidden files are the writers' temporaries before their atomic rename.
 * Links and FIFOs are not skipped here: opening them is refused with a
 * warning naming them (safe_file.h). */
static bool is_visible_file(int dir_fd, const char *name)
{
	struct stat st;
	return name[0] != '.' && fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode);
}

/* A negative energy, duration or CPU time is no measurement: summing it
 * would hide it in the totals. */
static void drop_negative(FILE *warnings, const char *path, const char *key, struct maybe_double *value,
                          const char *unit)
{
	if (!value->present || value->value >= 0)
		return;
	fprintf(warnings, "report: warning: %s: %s is negative (%g %s): not counted\n", path, key,
	        value->value, unit);
	value->present = false;
}

bool trace_set_source_matches(const struct energy_trace *trace, const char *name)
{
	if (strcmp(trace->source, name) == 0 || (trace->source_id && strcmp(trace->source_id, name) == 0))
		return true;
	/* "gpuhwmon:a" names the source whose files are tagged "gpuhwmon-a" */
	size_t n = strlen(name);
	if (n != strlen(trace->source))
		return false;
	for (size_t i = 0; i < n; i++)
		if (trace->source[i] != (name[i] == ':' ? '-' : name[i]))
			return false;
	return true;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int trace_set_sources(const struct trace_set *set, const char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (set->count == 0)
		return 0;
	const char **names = malloc(set->count * sizeof *names);
	if (names == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < set->count; i++) {
		size_t k = 0;
		while (k < *count && strcmp(names[k], set->traces[i].source) != 0)
			k++;
		if (k == *count)
			names[(*count)++] = set->traces[i].source;
	}
	qsort(names, *count, sizeof *names, compare_names);
	*out = names;
	return 0;
}

int trace_set_load(const char *dir, const char *only_source, FILE *warnings,
                   struct trace_set *out)
{
	memset(out, 0, sizeof *out);
	DIR *handle = opendir(dir);
	if (handle == NULL) {
		int code = -errno;
		fprintf(warnings, "report: cannot read directory %s: %s\n", dir, strerror(errno));
		return code;
	}
	struct dirent **entries = NULL;
	int n = scandir(dir, &entries, NULL, alphasort);
	if (n < 0) {
		int code = -errno;
		fprintf(warnings, "report: cannot list directory %s: %s\n", dir, strerror(errno));
		closedir(handle);
		return code;
	}
	int status = 0;
	size_t capacity = 0;
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		if (status != 0 || !is_visible_file(dirfd(handle), name))
			continue;
		enum file_kind kind = classify(name);
		if (kind == FILE_DERIVED) {
			out->skipped_derived++;
			continue;
		}
		if (kind == FILE_UNKNOWN) {
			fprintf(warnings, "report: warning: ignoring %s/%s: not named "
			        "{job_key}_{call_id}_{source}.json\n", dir, name);
			out->skipped_unknown++;
			continue;
		}
		char path[4096], why[256];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		struct energy_trace trace;
		if (energy_trace_load(path, name, &trace, why, sizeof why) != 0) {
			fprintf(warnings, "report: warning: ignoring %s: %s\n", path, why);
			out->skipped_unknown++;
			continue;
		}
		if (only_source != NULL && !trace_set_source_matches(&trace, only_source)) {
			energy_trace_release(&trace);
			continue;
		}
		drop_negative(warnings, path, trace.energy_row ? trace.energy_row->lithops_key : "energy",
		              &trace.energy_j, "J");
		drop_negative(warnings, path, "duration", &trace.duration_s, "s");
		drop_negative(warnings, path, "cpu_time", &trace.cpu_time_s, "s");
		if (append(out, &capacity, &trace) != 0) {
			energy_trace_release(&trace);
			fprintf(warnings, "report: out of memory reading %s\n", dir);
			status = -ENOMEM;
		}
	}
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	closedir(handle);
	if (status != 0)
		trace_set_release(out);
	return status;
}

void trace_set_release(struct trace_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		energy_trace_release(&set->traces[i]);
	free(set->traces);
	memset(set, 0, sizeof *set);
}
