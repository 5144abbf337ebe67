/* trace_set.c — loading a directory of per-call energy files. */
#include "trace_set.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const known_sources[] = {"ipmi", "perf", "ebpf"};

enum file_kind { FILE_TRACE, FILE_DERIVED, FILE_UNKNOWN };

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* {job_key}_{call_id}_{source}.json: job keys may contain '_', so only the
 * last part is taken as the source; the ids come from the file's contents. */
static enum file_kind classify(const char *name, const char **source)
{
	if (ends_with(name, "_summary.json") || ends_with(name, "_summary.jsonl") ||
	    ends_with(name, "_composite.json"))
		return FILE_DERIVED;
	for (size_t i = 0; i < sizeof known_sources / sizeof known_sources[0]; i++) {
		char suffix[32];
		snprintf(suffix, sizeof suffix, "_%s.json", known_sources[i]);
		const char *first_sep = strchr(name, '_');
		if (ends_with(name, suffix) && first_sep != NULL &&
		    first_sep < name + strlen(name) - strlen(suffix)) {
			*source = known_sources[i];
			return FILE_TRACE;
		}
	}
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

/* A file of another plugin is named right but has nothing this report
 * knows how to summarise; say which, rather than blame its name. */
static void warn_unknown_name(FILE *warnings, const char *dir, const char *name)
{
	const char *last_sep = strrchr(name, '_');
	if (ends_with(name, ".json") && last_sep != NULL && strchr(name, '_') < last_sep)
		fprintf(warnings, "report: warning: ignoring %s/%s: source '%.*s' is not one this "
		        "report reads (ipmi, perf, ebpf)\n", dir, name,
		        (int)(strlen(last_sep + 1) - strlen(".json")), last_sep + 1);
	else
		fprintf(warnings, "report: warning: ignoring %s/%s: not named "
		        "{job_key}_{call_id}_{ipmi|perf|ebpf}.json\n", dir, name);
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
		const char *source = NULL;
		if (status != 0 || !is_visible_file(dirfd(handle), name))
			continue;
		enum file_kind kind = classify(name, &source);
		if (kind == FILE_DERIVED) {
			out->skipped_derived++;
			continue;
		}
		if (kind == FILE_UNKNOWN) {
			warn_unknown_name(warnings, dir, name);
			out->skipped_unknown++;
			continue;
		}
		if (only_source != NULL && strcmp(source, only_source) != 0)
			continue;
		char path[4096], why[256];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		struct energy_trace trace;
		if (energy_trace_load(path, name, source, &trace, why, sizeof why) != 0) {
			fprintf(warnings, "report: warning: ignoring %s: %s\n", path, why);
			out->skipped_unknown++;
			continue;
		}
		drop_negative(warnings, path, energy_trace_energy_key(source), &trace.energy_j, "J");
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
