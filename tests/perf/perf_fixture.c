#include "perf_fixture.h"

#include "plugin_stage.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fixture_load(struct harness *h, const struct rapl_tree *t)
{
	int rc = harness_load(h, "perf");
	if (rc == 0)
		rc = harness_set(h, "perf_sysfs_root", t->root);
	return rc;
}

double fixture_host_energy(const struct harness *h, const char *sensor)
{
	double total = 0, prev = 0;
	int have_prev = 0;
	for (size_t i = 0; i < h->nreadings; i++) {
		const struct energy_reading *r = &h->readings[i];
		if (strcmp(r->sensor, sensor) != 0)
			continue;
		if (have_prev)
			total += r->value >= prev ? r->value - prev : r->value + r->counter_max - prev;
		prev = r->value;
		have_prev = 1;
	}
	return total;
}

static unsigned scope_of(const char *json_key)
{
	static const struct { const char *key; unsigned scope; } map[] = {
		{ "energy_pkg", ENERGY_SCOPE_CPU_PACKAGE }, { "energy_cores", ENERGY_SCOPE_CPU_CORES },
		{ "energy_gpu", ENERGY_SCOPE_CPU_UNCORE },  { "energy_ram", ENERGY_SCOPE_DRAM },
		{ "energy_psys", ENERGY_SCOPE_SYSTEM },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].key, json_key) == 0)
			return map[i].scope;
	return 0;
}

double fixture_package_energy(const struct harness *h, const char *json_key, unsigned index)
{
	const struct harness_metric *m = harness_metric(h, "", scope_of(json_key), index);
	if (!m || m->reason[0] || harness_count(h, m->sensor, 0) < 2)
		return NAN; /* as the host: a series of one reading has no energy */
	return fixture_host_energy(h, m->sensor);
}

double fixture_key_energy(const struct harness *h, const char *json_key)
{
	double total = 0;
	int seen = 0;
	for (size_t i = 0; i < h->nmetrics; i++) {
		const struct harness_metric *m = &h->metrics[i];
		if (m->decl.key[0] || m->decl.scope != scope_of(json_key))
			continue;
		if (m->reason[0])
			return NAN;
		if (harness_count(h, m->sensor, 0) < 2)
			continue;
		total += fixture_host_energy(h, m->sensor);
		seen = 1;
	}
	return seen ? total : NAN;
}

const char *fixture_key_reason(const struct harness *h, const char *json_key)
{
	for (size_t i = 0; i < h->nmetrics; i++)
		if (h->metrics[i].decl.scope == scope_of(json_key) && h->metrics[i].reason[0])
			return h->metrics[i].reason;
	return "";
}

int fixture_host_wraps(const struct harness *h, const char *sensor)
{
	int wraps = 0, have_prev = 0;
	double prev = 0;
	for (size_t i = 0; i < h->nreadings; i++) {
		const struct energy_reading *r = &h->readings[i];
		if (strcmp(r->sensor, sensor) != 0)
			continue;
		wraps += have_prev && r->value < prev;
		prev = r->value;
		have_prev = 1;
	}
	return wraps;
}

void fixture_assert_no_total_notes(const struct harness *h)
{
	for (size_t i = 0; i < h->nnotes; i++) {
		const char *key = h->notes[i].key;
		int total = strncmp(key, "energy_", 7) == 0 || strcmp(key, "counter_wraps") == 0;
		if (total)
			fprintf(stderr, "\n  note '%s' repeats what the host computes\n", key);
		CU_ASSERT_FALSE(total);
	}
}

double fixture_note_number(const struct harness *h, const char *key)
{
	const struct harness_note *n = harness_note(h, key);
	return n && n->is_number ? n->number : NAN;
}

const char *fixture_note_text(const struct harness *h, const char *key)
{
	const struct harness_note *n = harness_note(h, key);
	return n && !n->is_number ? n->text : "";
}

int fixture_probe_create(struct harness *h)
{
	int probe_rc = harness_probe(h);
	int create_rc = harness_create(h);
	return probe_rc == create_rc ? create_rc : -1000 + probe_rc;
}

int fixture_probe_unprivileged(const struct rapl_tree *t, const char *key, const char *value,
			       char *msg, size_t len)
{
	/* A copy nobody can reach: the build tree may sit in a 0700 checkout. */
	struct plugin_stage st;
	int fds[2];
	if (plugin_stage(&st, "perf") != 0) {
		snprintf(msg, len, "%s", st.error);
		return -9995;
	}
	if (pipe(fds) != 0) {
		plugin_unstage(&st);
		return -9999;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		struct harness h;
		int rc = -9998;
		memset(&h, 0, sizeof(h));
		if (getuid() != 0 || (setgid(65534) == 0 && setuid(65534) == 0)) {
			rc = harness_load(&h, st.path);
			if (rc == 0)
				rc = harness_set(&h, "perf_sysfs_root", t->root);
			if (rc == 0 && key)
				rc = harness_set(&h, key, value);
			rc = rc == 0 ? harness_probe(&h) : -9997;
		}
		if (write(fds[1], &rc, sizeof(rc)) != sizeof(rc) ||
		    write(fds[1], h.error, strlen(h.error)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	int rc = -9996;
	ssize_t n = read(fds[0], &rc, sizeof(rc));
	ssize_t m = n == sizeof(rc) ? read(fds[0], msg, len - 1) : 0;
	msg[m > 0 ? m : 0] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
	plugin_unstage(&st);
	return rc;
}

static double real_busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7]) : 0;
	if (f)
		fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	if (n < 7 || hz <= 0)
		return NAN;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

void fixture_burn_until_busy(double busy_s)
{
	double start = real_busy_s();
	volatile unsigned long sink = 0;
	/* Bounded (about a minute of spinning) in case /proc/stat never
	 * moves; the caller's asserts then say what was seen. */
	for (int round = 0; round < 60000 && !(real_busy_s() - start >= busy_s); round++)
		for (unsigned long i = 0; i < 1000000ul; i++)
			sink += i;
}

int fixture_check_real_domains(struct harness *h)
{
	static const char *const keys[] = { "energy_pkg", "energy_cores", "energy_ram", "energy_gpu",
					    "energy_psys" };
	CU_ASSERT_EQUAL_FATAL(h->plugin->start(h->instance), 0);
	fixture_burn_until_busy(0.6);
	int sample_rc = h->plugin->sample(h->instance);
	int stop_rc = h->plugin->stop(h->instance);
	CU_ASSERT_EQUAL(h->plugin->get_data(h->instance), 0);
	if (sample_rc != 0 || stop_rc != 0) {
		/* only when every counter is dead, and then it says so */
		if (!strstr(h->error, "did not advance"))
			fprintf(stderr, "\n  sample %d, stop %d: %s\n", sample_rc, stop_rc, h->error);
		CU_ASSERT_PTR_NOT_NULL(strstr(h->error, "did not advance"));
	}
	int seen = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		double total = fixture_key_energy(h, keys[i]);
		const char *why = fixture_key_reason(h, keys[i]);
		int judged = i == 0 || i == 4; /* package and psys */
		fprintf(stderr, "\n  this machine: %s %s", keys[i],
			!isnan(total) ? "measured" : why[0] ? why : "absent");
		if (!isnan(total))
			fprintf(stderr, " (%.6f J)", total);
		CU_ASSERT(isnan(total) || !why[0]);
		if (!isnan(total) && judged)
			CU_ASSERT(total > 0);
		if (why[0])
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "did not advance"));
		seen += !isnan(total) || why[0];
	}
	fixture_assert_no_total_notes(h);
	fprintf(stderr, "\n");
	CU_ASSERT(seen > 0);
	return seen;
}
