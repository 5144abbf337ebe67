/* summary_log.c — reading a source's JSON Lines summary. */
#include "summary_log.h"

#include "safe_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "job_key\ncall_id": neither part can hold a newline in a file name. */
static char *call_key(const char *job_key, const char *call_id)
{
	size_t n = strlen(job_key) + strlen(call_id) + 2;
	char *key = malloc(n);
	if (key != NULL)
		snprintf(key, n, "%s\n%s", job_key, call_id);
	return key;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* The calls that have a per-call file of `source`, sorted for lookup. */
static char **file_keys(const struct trace_set *set, const char *source, size_t *n)
{
	char **keys = calloc(set->count ? set->count : 1, sizeof *keys);
	*n = 0;
	if (keys == NULL)
		return NULL;
	for (size_t i = 0; i < set->count; i++) {
		if (strcmp(set->traces[i].source, source) != 0)
			continue;
		if ((keys[*n] = call_key(set->traces[i].job_key, set->traces[i].call_id)) == NULL) {
			free_keys(keys, *n);
			return NULL;
		}
		(*n)++;
	}
	qsort(keys, *n, sizeof *keys, by_text);
	return keys;
}

static void check_line(const char *path, size_t number, const char *line, char **keys,
                       size_t n_keys, FILE *warnings, struct summary_log_check *out)
{
	json_error_t error;
	json_t *record = json_loads(line, 0, &error);
	const char *job = json_string_value(json_object_get(record, "job_key"));
	const char *call = json_string_value(json_object_get(record, "call_id"));
	if (job == NULL || call == NULL) {
		fprintf(warnings, "report: warning: %s line %zu is not a summary record%s\n", path,
		        number, record ? "" : " (not JSON: a torn write?)");
		out->bad_lines++;
		json_decref(record);
		return;
	}
	out->lines++;
	char *key = call_key(job, call);
	if (key != NULL && bsearch(&key, keys, n_keys, sizeof *keys, by_text) == NULL) {
		if (out->missing_files++ == 0)
			fprintf(warnings, "report: warning: %s line %zu: call %s/%s has no per-call "
			        "file\n", path, number, job, call);
	}
	free(key);
	json_decref(record);
}

/* The next line, without its newline, NUL-terminated, its length (NUL
 * bytes in it included) in *length; a line of line_max bytes or more is
 * skipped to its end and flagged too_long. False at the end of the file. */
static bool read_line(FILE *log, char *line, size_t line_max, size_t *length, bool *too_long)
{
	size_t n = 0;
	int c;
	*too_long = false;
	while ((c = getc_unlocked(log)) != EOF && c != '\n') {
		if (n < line_max - 1)
			line[n++] = (char)c;
		else
			*too_long = true;
	}
	line[n] = '\0';
	*length = n;
	return c != EOF || n > 0 || *too_long;
}

int summary_log_check(const char *dir, const char *source, const struct trace_set *set,
                      FILE *warnings, struct summary_log_check *out)
{
	memset(out, 0, sizeof *out);
	char path[4096];
	snprintf(path, sizeof path, "%s/%s_summary.jsonl", dir, source);
	/* the log grows with every call and is read line by line: no file size
	 * cap, but a line length cap */
	char why[160];
	int fd = safe_file_open_read(path, (size_t)-1, why, sizeof why);
	FILE *log = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (log == NULL) {
		int code = -errno;
		if (fd >= 0) {
			snprintf(why, sizeof why, "%s", strerror(errno));
			close(fd);
		} else if (errno == ENOENT) {
			return 0;
		}
		fprintf(warnings, "report: warning: cannot read %s: %s\n", path, why);
		return code;
	}
	size_t n_keys;
	char **keys = file_keys(set, source, &n_keys);
	if (keys == NULL) {
		fclose(log);
		fprintf(warnings, "report: out of memory checking %s\n", path);
		return -ENOMEM;
	}
	/* one fixed buffer: a hostile line of any length costs no more memory */
	static const size_t line_max = 64 * 1024;
	char *line = malloc(line_max);
	size_t number = 0, length;
	bool too_long;
	if (line == NULL)
		fprintf(warnings, "report: out of memory checking %s\n", path);
	while (line != NULL && read_line(log, line, line_max, &length, &too_long)) {
		number++;
		if (too_long) {
			fprintf(warnings, "report: warning: %s line %zu is longer than %zu KiB: not a summary "
			        "record\n", path, number, line_max >> 10);
			out->bad_lines++;
		} else if (memchr(line, '\0', length) != NULL) {
			/* a zeroed block (a crash before the data reached the disk):
			 * fgets() would have read it as an empty line and skipped it */
			fprintf(warnings, "report: warning: %s line %zu holds NUL bytes: not a summary record\n",
			        path, number);
			out->bad_lines++;
		} else if (length > 0) {
			check_line(path, number, line, keys, n_keys, warnings, out);
		}
	}
	if (out->missing_files > 1)
		fprintf(warnings, "report: warning: %s: %zu calls in all have no per-call file\n", path,
		        out->missing_files);
	free(line);
	free_keys(keys, n_keys);
	fclose(log);
	return 0;
}
