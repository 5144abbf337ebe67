/* report_fixture.c — helpers shared by the report tests. */
#include "report_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

int fixture_dir_create(struct fixture_dir *dir)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir->path, sizeof dir->path, "%s/energymon-report-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir->path) ? 0 : -errno;
}

void fixture_path(const struct fixture_dir *dir, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", dir->path, name);
}

int fixture_write(const struct fixture_dir *dir, const char *name, const char *text)
{
	char path[512];
	fixture_path(dir, name, path, sizeof path);
	FILE *file = fopen(path, "w");
	if (file == NULL)
		return -errno;
	fputs(text, file);
	return fclose(file) == 0 ? 0 : -errno;
}

void fixture_dir_remove(struct fixture_dir *dir)
{
	DIR *handle = opendir(dir->path);
	if (handle == NULL)
		return;
	struct dirent *entry;
	while ((entry = readdir(handle)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		char path[512];
		fixture_path(dir, entry->d_name, path, sizeof path);
		unlink(path);
	}
	closedir(handle);
	rmdir(dir->path);
}

static char *read_stream(FILE *stream)
{
	long size = ftell(stream);
	char *text = malloc(size > 0 ? (size_t)size + 1 : 1);
	if (text == NULL)
		return NULL;
	rewind(stream);
	size_t got = size > 0 ? fread(text, 1, (size_t)size, stream) : 0;
	text[got] = '\0';
	return text;
}

int fixture_run_report(const char *const *args, struct report_capture *capture)
{
	char *argv[32] = {"report"};
	int argc = 1;
	while (args[argc - 1] != NULL && argc < 31) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	FILE *out = tmpfile(), *err = tmpfile();
	if (out == NULL || err == NULL) {
		if (out) fclose(out);
		if (err) fclose(err);
		return -errno;
	}
	capture->status = report_run(argc, argv, out, err);
	fflush(out);
	fflush(err);
	capture->out = read_stream(out);
	capture->err = read_stream(err);
	fclose(out);
	fclose(err);
	return capture->out && capture->err ? 0 : -ENOMEM;
}

void fixture_capture_free(struct report_capture *capture)
{
	free(capture->out);
	free(capture->err);
	capture->out = capture->err = NULL;
}

char *fixture_read_file(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	if (file == NULL)
		return NULL;
	fseek(file, 0, SEEK_END);
	char *text = read_stream(file);
	if (text != NULL && size != NULL)
		*size = (size_t)ftell(file);
	fclose(file);
	return text;
}

/* A source's block starts with "SOURCE (" at the start of a line and runs
 * to the next blank line. */
double fixture_summary_value(const char *output, const char *source, const char *key)
{
	char header[64], needle[96];
	snprintf(header, sizeof header, "\n%s (", source);
	const char *block = strstr(output, header);
	if (block == NULL)
		return NAN;
	const char *end = strstr(block + 1, "\n\n");
	snprintf(needle, sizeof needle, "\n  %s: ", key);
	const char *line = strstr(block, needle);
	if (line == NULL || (end != NULL && line > end))
		return NAN;
	char *after;
	double value = strtod(line + strlen(needle), &after);
	return after == line + strlen(needle) ? NAN : value;
}
