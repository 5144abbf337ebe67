/*
 * report_fixture.h — temporary directories of energy files with known
 * contents, and running the report on them with its output captured.
 */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include <stddef.h>

struct fixture_dir {
	char path[256];
};

/* A new empty directory under $TMPDIR (or /tmp). Returns 0 or -errno. */
int fixture_dir_create(struct fixture_dir *dir);
/* Writes `text` to `name` in the directory. Returns 0 or -errno. */
int fixture_write(const struct fixture_dir *dir, const char *name, const char *text);
/* Builds "DIR/name" into `out`. */
void fixture_path(const struct fixture_dir *dir, const char *name, char *out, size_t size);
/* Removes the directory and everything in it. */
void fixture_dir_remove(struct fixture_dir *dir);

struct report_capture {
	int status;
	char *out; /* what the report printed on stdout / stderr; free() both */
	char *err;
};

/* Runs report_run with `args` (NULL-terminated, without argv[0]). */
int fixture_run_report(const char *const *args, struct report_capture *capture);
void fixture_capture_free(struct report_capture *capture);

/* Reads a whole file into a NUL-terminated buffer (free()); NULL on failure,
 * and the size in *size when `size` is not NULL. */
char *fixture_read_file(const char *path, size_t *size);

/* The number after "  key: " in the report's output, or NAN if absent. */
double fixture_summary_value(const char *output, const char *source, const char *key);

/* A relative comparison (1e-6, at least 1e-6 absolute) that prints both
 * numbers when it fails. The user includes CUnit. */
#define ASSERT_CLOSE(actual, expected)                                                       \
	do {                                                                                 \
		double a_ = (actual), e_ = (expected);                                       \
		if (!(fabs(a_ - e_) <= 1e-6 * fmax(1.0, fabs(e_))))                          \
			fprintf(stderr, "\n    %s = %.9g, expected %.9g\n", #actual, a_, e_);     \
		CU_ASSERT_DOUBLE_EQUAL(a_, e_, 1e-6 * fmax(1.0, fabs(e_)));                  \
	} while (0)

/* --metrics-csv's header, as report/README.md lists it. */
#define METRICS_CSV_HEADER                                                                     \
	"job_key,call_id,function_name,source,placeholder,timestamp,duration,"                 \
	"system_energy,pkg_energy,avg_power,min_power,max_power,power_std_dev,"                \
	"avg_cpu_temp,avg_system_temp,cpu_time,"                                               \
	"system_energy_low,system_energy_high,pkg_energy_low,pkg_energy_high,"                 \
	"system_dynamic_energy,system_dynamic_energy_low,system_dynamic_energy_high,"          \
	"pkg_dynamic_energy,pkg_dynamic_energy_low,pkg_dynamic_energy_high,idle_power\n"

#endif
