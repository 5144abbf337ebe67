/*
 * The simulated BMC behaving like a real one, end to end: a real ipmi_sim
 * with refresh_ms / window_ms / stamp, read over lanplus with FreeIPMI the
 * way the IPMI plugin reads it, and the truth log it writes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include "../support/cunit_run.h"

#include "check.h"
#include "dcmi_session.h"
#include "simbmc_client.h"

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double unix_time)
{
	double d = unix_time - now_unix();

	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

static ipmi_ctx_t open_admin(struct simbmc *b)
{
	char why[512];
	ipmi_ctx_t ctx = dcmi_session_open(b->host, b->user, b->password,
					   IPMI_PRIVILEGE_LEVEL_ADMIN, why, sizeof(why));
	if (!ctx)
		fprintf(stderr, "%s\n", why);
	return ctx;
}

/* What the truth log says: the BMC's start, its header line, and the
 * points of the last profile block. */
struct truth {
	double start;
	char header[256];
	int blocks;
	double t[64], w[64];
	size_t n;
};

static int read_truth(const char *path, struct truth *tr)
{
	char line[256];
	FILE *f = fopen(path, "r");

	memset(tr, 0, sizeof(*tr));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		double t, w;
		if (sscanf(line, "# simbmc truth log: start=%lf", &tr->start) == 1) {
			snprintf(tr->header, sizeof(tr->header), "%s", line);
		} else if (strncmp(line, "# profile loaded at ", 20) == 0) {
			tr->blocks++;
			tr->n = 0;
		} else if (sscanf(line, "%lf %lf", &t, &w) == 2 && tr->n < 64) {
			tr->t[tr->n] = t;
			tr->w[tr->n] = w;
			tr->n++;
		}
	}
	fclose(f);
	return tr->start > 0 ? 0 : -EINVAL;
}

/* refresh_ms=1000, stamp=refresh, a profile stepping every 0.2 s: the
 * reading is the profile at the last refresh, unchanged between refreshes,
 * and the time stamp names that refresh. */
static void test_refresh_holds_and_stamp_follows(void)
{
	struct simbmc_options o = { .refresh_ms = 1000, .stamp = "refresh", .truth_log = 1 };
	struct simbmc b;
	struct truth tr;
	double t[31], w[31];
	int cc;

	CHECK_OK(simbmc_start(&b, &o), b.error);
	CHECK_OK(read_truth(b.truth_log, &tr), "no truth log header");
	CU_ASSERT_PTR_NOT_NULL(strstr(tr.header, "refresh_ms=1000 window_ms=0 quantise=1 stamp=refresh"));

	double t0 = now_unix();
	t[0] = t0 - 1000;
	w[0] = 50;
	for (int i = 1; i < 31; i++) {
		t[i] = t0 + 0.2 * (i - 1);
		w[i] = 100 + 10 * i;
	}
	CHECK_OK(simbmc_write_profile(&b, t, w, 31), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);

	unsigned last_w = 0;
	uint32_t last_stamp = 0;
	int reads = 0, refreshes = 0, missed_steps = 0;
	for (double until = now_unix() + 3.5; now_unix() < until; sleep_until(now_unix() + 0.07)) {
		struct dcmi_power p;
		double before = now_unix();
		CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
		double after = now_unix();
		reads++;
		/* The refresh this answer comes from: start + k, k whole, stamped
		 * floor(start + k); it is the last one before the request. */
		double r = tr.start + ceil(p.timestamp - tr.start);
		CU_ASSERT(r <= after && r > before - 1.0);
		CHECK_INT(p.current_w, ==, lround(simbmc_profile_power_w(t, w, 31, r)));
		CHECK_INT(p.period_ms, ==, lround((r - tr.start) * 1000));
		if (p.timestamp == last_stamp) {
			/* Same refresh: same reading, whatever the profile did. */
			CHECK_INT(p.current_w, ==, last_w);
		} else {
			if (last_stamp)
				CHECK_INT(p.timestamp, ==, last_stamp + 1);
			refreshes++;
		}
		if (lround(simbmc_profile_power_w(t, w, 31, before)) != p.current_w)
			missed_steps++;
		last_w = p.current_w;
		last_stamp = p.timestamp;
	}
	/* The test saw several refreshes, and the reading lagging the profile
	 * most of the time (it steps every 0.2 s, the reading every 1 s). */
	CHECK_INT(refreshes, >=, 3);
	CHECK_INT(missed_steps, >, reads / 2);
	dcmi_session_close(ctx);

	/* The truth log holds exactly the points served, after the default
	 * profile simbmc_start wrote. */
	CHECK_OK(read_truth(b.truth_log, &tr), "truth log unreadable");
	CHECK_INT(tr.blocks, ==, 2);
	CHECK_INT(tr.n, ==, 31);
	for (size_t i = 0; i < tr.n && i < 31; i++)
		CU_ASSERT(tr.t[i] == t[i] && tr.w[i] == w[i]);
	simbmc_cleanup(&b);
}

/* refresh_ms=500, window_ms=1000, stamp=frozen: a 150 ms burst between two
 * refreshes never shows in the reading, shows in the maximum and average
 * of the window that holds it, and leaves with that window. */
static void test_window_catches_a_burst(void)
{
	struct simbmc_options o = { .refresh_ms = 500, .window_ms = 1000, .stamp = "frozen",
				    .truth_log = 1 };
	struct simbmc b;
	struct truth tr;
	struct dcmi_power p;
	int cc, saw_max = 0;

	CHECK_OK(simbmc_start(&b, &o), b.error);
	CHECK_OK(read_truth(b.truth_log, &tr), "no truth log header");
	/* The first refresh at least 0.6 s ahead and 1.5 s after the start,
	 * so the window is full and the profile is in place before it. */
	double R = tr.start + 0.5 * ceil((fmax(now_unix() + 0.6, tr.start + 1.5) - tr.start) / 0.5);
	double t[] = { 0, R - 0.4, R - 0.25 }, w[] = { 100, 1000, 100 };
	CHECK_OK(simbmc_write_profile(&b, t, w, 3), b.error);
	ipmi_ctx_t ctx = open_admin(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);

	for (double at = R - 0.45; at < R + 1.3; at += 0.05) {
		sleep_until(at);
		double before = now_unix();
		CHECK_INT(dcmi_session_read(ctx, &p, &cc), ==, 0);
		double after = now_unix();
		CHECK_INT(p.current_w, ==, 100);
		CHECK_INT(p.timestamp, ==, (uint32_t)floor(tr.start));
		CHECK_INT(p.period_ms, ==, 1000);
		/* Answers surely from the R refresh (window [R-1, R]) and
		 * surely from R+1 (window [R, R+1]); the rest may be either. */
		if (before >= R + 0.05 && after < R + 0.45) {
			CHECK_INT(p.max_w, ==, 1000);
			CHECK_INT(p.avg_w, ==, 235); /* 0.85 s x 100 W + 0.15 s x 1000 W */
			CHECK_INT(p.min_w, ==, 100);
			saw_max++;
		} else if (before >= R + 1.05) {
			CHECK_INT(p.max_w, ==, 100);
			CHECK_INT(p.avg_w, ==, 100);
		}
	}
	CHECK_INT(saw_max, >=, 3);
	dcmi_session_close(ctx);
	simbmc_cleanup(&b);
}

static void test_launcher_refuses_bad_behaviour(void)
{
	struct simbmc b;
	struct simbmc_options cpu = { .cpu_model = 1, .cpu_idle_w = 40, .cpu_peak_w = 80,
				      .refresh_ms = 1000 };
	struct simbmc_options stamp = { .stamp = "late" };

	/* The CPU model has no timeline to refresh or log. */
	CU_ASSERT_NOT_EQUAL(simbmc_start(&b, &cpu), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.error, "need --profile"));
	CU_ASSERT_NOT_EQUAL(simbmc_start(&b, &stamp), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.error, "--stamp is refresh, request or frozen"));
}

int main(void)
{
	require_simbmc();
	CU_TestInfo tests[] = {
		{"refresh holds the reading, stamp follows it", test_refresh_holds_and_stamp_follows},
		{"window catches a burst between refreshes", test_window_catches_a_burst},
		{"launcher refuses bad behaviour options", test_launcher_refuses_bad_behaviour},
		CU_TEST_INFO_NULL,
	};
	return cunit_run_suite("simbmc_behaviour", NULL, NULL, tests);
}
