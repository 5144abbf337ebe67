/* The round trip every monitor state test checks: a stopped monitor, its
 * state document, and the monitor rebuilt from it give the same result
 * JSON, the same files byte for byte and the same typed answers, and the
 * rebuilt monitor's document is the original's. Include after
 * core/internal.h and test_util.h. */
#ifndef STATE_ROUND_TRIP_H
#define STATE_ROUND_TRIP_H

#include <math.h>

static int differences;

static void differ(const char *what, size_t i, const char *field)
{
	fprintf(stderr, "\n    differs: %s %zu: %s", what, i, field);
	differences++;
}

static bool same_d(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

static bool same_s(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define SAME_D(what, i, a, b, f) if (!same_d((a).f, (b).f)) differ(what, i, #f)
#define SAME_S(what, i, a, b, f) if (!same_s((a).f, (b).f)) differ(what, i, #f)
#define SAME_I(what, i, a, b, f) if ((a).f != (b).f) differ(what, i, #f)

static void same_metrics(const struct em_monitor *a, const struct em_monitor *b, size_t source)
{
	for (size_t i = 0;; i++) {
		struct em_result_metric x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
		int rx = em_result_metric(a, source, i, &x), ry = em_result_metric(b, source, i, &y);
		if (rx != ry)
			differ("metric", i, "return code");
		if (rx || ry)
			return;
		SAME_S("metric", i, x, y, key); SAME_S("metric", i, x, y, unit); SAME_S("metric", i, x, y, kind);
		SAME_S("metric", i, x, y, scope); SAME_I("metric", i, x, y, index); SAME_I("metric", i, x, y, declared);
		SAME_I("metric", i, x, y, attributable); SAME_D("metric", i, x, y, value);
		SAME_S("metric", i, x, y, reason); SAME_I("metric", i, x, y, readings);
		SAME_D("metric", i, x, y, covered_s); SAME_S("metric", i, x, y, source);
	}
}

static void same_source(const struct em_monitor *a, const struct em_monitor *b, size_t i)
{
	struct em_result_source x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
	CU_ASSERT_EQUAL_FATAL(em_result_source(a, i, &x), 0);
	CU_ASSERT_EQUAL_FATAL(em_result_source(b, i, &y), 0);
	SAME_S("source", i, x, y, id); SAME_S("source", i, x, y, plugin); SAME_S("source", i, x, y, instance);
	SAME_I("source", i, x, y, available); SAME_I("source", i, x, y, measured); SAME_I("source", i, x, y, complete);
	SAME_D("source", i, x, y, timestamp); SAME_D("source", i, x, y, duration_s); SAME_D("source", i, x, y, covered_s);
	SAME_S("source", i, x, y, reason); SAME_I("source", i, x, y, started); SAME_I("source", i, x, y, samples);
	SAME_I("source", i, x, y, failed_samples); SAME_I("source", i, x, y, missed_deadlines);
	SAME_D("source", i, x, y, interval_requested_s); SAME_D("source", i, x, y, interval_used_s);
	SAME_D("source", i, x, y, interval_median_s); SAME_D("source", i, x, y, interval_p95_s);
	SAME_S("source", i, x, y, last_failure); SAME_S("source", i, x, y, abandoned);
	SAME_I("source", i, x, y, dropped_readings); SAME_I("source", i, x, y, series_limit);
	SAME_I("source", i, x, y, gap_count);
	same_metrics(a, b, i);
	for (size_t g = 0;; g++) {
		double f1 = 0, t1 = 0, f2 = 0, t2 = 0;
		int r1 = em_result_gap(a, i, g, &f1, &t1), r2 = em_result_gap(b, i, g, &f2, &t2);
		if (r1 != r2 || !same_d(f1, f2) || !same_d(t1, t2))
			differ("gap", g, "from/to");
		if (r1 || r2)
			break;
	}
	for (size_t n = 0;; n++) {
		const char *k1 = NULL, *v1 = NULL, *k2 = NULL, *v2 = NULL;
		int r1 = em_result_note(a, i, n, &k1, &v1), r2 = em_result_note(b, i, n, &k2, &v2);
		if (r1 != r2 || !same_s(k1, k2) || !same_s(v1, v2))
			differ("note", n, "key/text");
		if (r1 || r2)
			break;
	}
	for (size_t n = 0;; n++) {
		const char *l1 = NULL, *m1 = NULL, *l2 = NULL, *m2 = NULL;
		int r1 = em_result_log(a, i, n, &l1, &m1), r2 = em_result_log(b, i, n, &l2, &m2);
		if (r1 != r2 || !same_s(l1, l2) || !same_s(m1, m2))
			differ("log", n, "level/message");
		if (r1 || r2)
			break;
	}
}

static void same_typed_answers(const struct em_monitor *a, const struct em_monitor *b)
{
	struct em_result_run x = {.struct_size = sizeof(x)}, y = {.struct_size = sizeof(y)};
	CU_ASSERT_EQUAL_FATAL(em_result_run(a, &x), 0);
	CU_ASSERT_EQUAL_FATAL(em_result_run(b, &y), 0);
	SAME_I("run", 0, x, y, measured); SAME_I("run", 0, x, y, complete); SAME_D("run", 0, x, y, timestamp);
	SAME_D("run", 0, x, y, duration_s); SAME_D("run", 0, x, y, covered_s); SAME_D("run", 0, x, y, cpu_share);
	SAME_S("run", 0, x, y, cpu_share_source); SAME_D("run", 0, x, y, monitor_cpu_s);
	SAME_S("run", 0, x, y, measured_by); SAME_S("run", 0, x, y, agent_socket);
	size_t n = 0;
	struct em_result_source s = {.struct_size = sizeof(s)};
	while (em_result_source(a, n, &s) == 0)
		same_source(a, b, n++);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(em_result_source(b, n, &s), -ENOENT);
	same_metrics(a, b, EM_RESULT_MERGED);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(1 << 22) : NULL;
	*len = buf ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of a directory's files (NULL-terminated, caller frees). */
static char **names_in(const char *dir, size_t *n)
{
	char **names = calloc(64, sizeof(*names));
	DIR *d = opendir(dir);
	struct dirent *e;
	*n = 0;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && *n < 63)
			names[(*n)++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, *n, sizeof(*names), by_name);
	return names;
}

/* Both write their files; the two directories hold the same files, byte for byte. */
static void same_files(struct em_monitor *a, struct em_monitor *b)
{
	char da[PATH_MAX], db[PATH_MAX];
	struct em_error err = {0};
	fresh_output_dir(da, sizeof(da), "out");
	fresh_output_dir(db, sizeof(db), "out");
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(a, da, "job1", "call1", &err), 0);
	CU_ASSERT_EQUAL_FATAL(em_monitor_write_files(b, db, "job1", "call1", &err), 0);
	size_t na, nb;
	char **fa = names_in(da, &na), **fb = names_in(db, &nb);
	CU_ASSERT(na >= 2);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++) {
		CU_ASSERT_STRING_EQUAL(fa[i], fb[i]);
		size_t la, lb;
		char *ta = slurp(da, fa[i], &la), *tb = slurp(db, fb[i], &lb);
		CU_ASSERT_FATAL(ta && tb);
		if (la != lb || memcmp(ta, tb, la))
			fprintf(stderr, "\n    %s differs", fa[i]);
		CU_ASSERT(la == lb && memcmp(ta, tb, la) == 0);
		free(ta);
		free(tb);
		free(fa[i]);
		free(fb[i]);
	}
	free(fa);
	free(fb);
}

/* The whole check: state -> rebuilt -> same JSON, files and typed answers;
 * the rebuilt monitor's state is the original's. Returns the parsed result. */
static json_t *check_round_trip(struct em_monitor *mon)
{
	char *state = em_monitor_state_json(mon);
	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	struct em_monitor *copy = NULL;
	struct em_error err = {0};
	int rc = em_monitor_from_state(state, strlen(state), mon->cfg, &copy, &err);
	if (rc)
		fprintf(stderr, "\n    %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	char *ra = em_monitor_result_json(mon), *rb = em_monitor_result_json(copy);
	json_t *a = json_loads(ra, 0, NULL), *b = json_loads(rb, 0, NULL);
	CU_ASSERT_FATAL(a && b);
	CU_ASSERT(json_equal(a, b));
	CU_ASSERT_STRING_EQUAL(ra, rb);
	differences = 0;
	same_typed_answers(mon, copy);
	CU_ASSERT_EQUAL(differences, 0);
	same_files(mon, copy);
	char *again = em_monitor_state_json(copy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(again, state); /* a round trip of a round trip is stable */
	/* every source the original loaded keeps its "plugin" object */
	for (size_t i = 0; i < mon->nsources; i++)
		CU_ASSERT_EQUAL(mon->sources[i]->plugin_abi[0] != '\0',
		                json_object_get(json_object_get(json_object_get(b, "monitors"), mon->sources[i]->name),
		                                "plugin") != NULL);
	free(again);
	free(ra);
	free(rb);
	free(state);
	json_decref(b);
	em_monitor_destroy(copy);
	return a;
}

#endif
