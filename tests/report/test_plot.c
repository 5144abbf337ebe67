/* test_plot.c — the power plot is produced, as a valid PNG or SVG. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "power_band.h"
#include "report_fixture.h"
#include "xml_check.h"
#include "../support/cunit_run.h"

enum { EXPECTED_WIDTH = 1000, EXPECTED_HEIGHT = 600 };

static struct fixture_dir dir;

static int setup(void)
{
	if (fixture_dir_create(&dir) != 0)
		return -1;
	/* Two calls with readings out of order (the plot sorts them) and a
	 * third with one reading, which cannot make a line. */
	return fixture_write(&dir, "job_0_ipmi.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"0\", \"source\": \"ipmi\"},"
		" \"power_readings\": [{\"timestamp\": 100.0, \"power\": 40.0},"
		" {\"timestamp\": 102.0, \"power\": 50.0}, {\"timestamp\": 101.0, \"power\": 60.0}]}") ||
	       fixture_write(&dir, "job_1_ipmi.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"1\", \"source\": \"ipmi\"},"
		" \"power_readings\": [{\"timestamp\": 200.0, \"power\": 90.0},"
		" {\"timestamp\": 203.0, \"power\": 100.0}]}") ||
	       fixture_write(&dir, "job_2_perf.json",
		"{\"energy_consumption\": {\"job_key\": \"job\", \"call_id\": \"2\", \"source\": \"perf\"},"
		" \"power_readings\": [{\"timestamp\": 300.0, \"power\": 20.0}]}");
}

static int teardown(void)
{
	fixture_dir_remove(&dir);
	return 0;
}

static int run_plot(const char *path, struct report_capture *cap)
{
	const char *args[] = {"--plot", path, dir.path, NULL};
	return fixture_run_report(args, cap);
}

static uint32_t big_endian_32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_png_is_produced_and_valid(void)
{
	char path[512];
	fixture_path(&dir, "power.png", path, sizeof path);
	struct report_capture cap;
	CU_ASSERT_EQUAL_FATAL(run_plot(path, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "1 trace(s) with fewer than two power readings"));
	fixture_capture_free(&cap);
	size_t size = 0;
	unsigned char *png = (unsigned char *)fixture_read_file(path, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(png);
	/* Signature, then the IHDR chunk (length 13) with width and height. */
	CU_ASSERT_FATAL(size > 33);
	CU_ASSERT_EQUAL(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	CU_ASSERT_EQUAL(big_endian_32(png + 8), 13);
	CU_ASSERT_EQUAL(memcmp(png + 12, "IHDR", 4), 0);
	CU_ASSERT_EQUAL(big_endian_32(png + 16), EXPECTED_WIDTH);
	CU_ASSERT_EQUAL(big_endian_32(png + 20), EXPECTED_HEIGHT);
	/* The last chunk is a zero-length IEND followed by its CRC. */
	CU_ASSERT_EQUAL(memcmp(png + size - 12, "\0\0\0\0IEND", 8), 0);
	free(png);
	remove(path);
}

static void test_svg_is_produced_and_valid(void)
{
	char path[512];
	fixture_path(&dir, "power.svg", path, sizeof path);
	struct report_capture cap;
	CU_ASSERT_EQUAL_FATAL(run_plot(path, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	fixture_capture_free(&cap);
	char *svg = fixture_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	char why[128] = "";
	size_t paths = 0;
	int valid = xml_check(svg, "svg", "path", &paths, why, sizeof why);
	if (valid != 0)
		fprintf(stderr, "\n    SVG not well formed: %s\n", why);
	CU_ASSERT_EQUAL(valid, 0);
	/* Axes, lines, legend and glyphs are all paths: many, not none. */
	CU_ASSERT(paths > 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "width=\"1000pt\" height=\"600pt\""));
	free(svg);
	remove(path);
}

/* More calls than the legend can list: all drawn, the legend says how
 * many it left out, and the file is still a valid picture. */
static void test_many_calls_still_valid(void)
{
	struct fixture_dir many;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&many), 0);
	for (int call = 0; call < 30; call++) {
		char name[64], text[512];
		snprintf(name, sizeof name, "many_%02d_ipmi.json", call);
		snprintf(text, sizeof text,
		         "{\"energy_consumption\": {\"job_key\": \"many\", \"call_id\": \"%02d\"},"
		         " \"power_readings\": [{\"timestamp\": 10.0, \"power\": %d.0},"
		         " {\"timestamp\": 11.0, \"power\": %d.0}]}", call, 50 + call, 60 + call);
		CU_ASSERT_EQUAL(fixture_write(&many, name, text), 0);
	}
	char path[512];
	fixture_path(&many, "power.svg", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--plot", path, many.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 0);
	fixture_capture_free(&cap);
	char *svg = fixture_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	char why[128];
	size_t paths;
	CU_ASSERT_EQUAL(xml_check(svg, "svg", "path", &paths, why, sizeof why), 0);
	free(svg);
	fixture_dir_remove(&many);
}

static void test_nothing_to_draw_fails_without_file(void)
{
	struct fixture_dir empty;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&empty), 0);
	CU_ASSERT_EQUAL(fixture_write(&empty, "j_0_ipmi.json",
		"{\"energy_consumption\": {\"job_key\": \"j\", \"call_id\": \"0\", "
		"\"energy_system\": 1.0}}"), 0);
	char path[512];
	fixture_path(&empty, "power.png", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--plot", path, empty.path, NULL};
	CU_ASSERT_EQUAL_FATAL(fixture_run_report(args, &cap), 0);
	CU_ASSERT_EQUAL(cap.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap.err, "no trace has two power readings"));
	CU_ASSERT_PTR_NULL(fixture_read_file(path, NULL));
	fixture_capture_free(&cap);
	fixture_dir_remove(&empty);
}

/* Readings 40, 60, 50, 45 W at 0, 1, 2, 4 s; each may describe the power
 * up to 1.5 s before it; +- 1 W. The window [x, x + 1.5] changes at the
 * readings and 1.5 s before them (0.5, 2.5 s):
 *   (0, 0.5) sees 60        -> [59, 61]
 *   (0.5, 1) sees 60 and 50 -> [49, 61]
 *   (1, 2)   sees 50        -> [49, 51]
 *   (2, 4)   sees none: the next reading, 45 -> [44, 46] (two steps) */
static void test_band_between_refreshes(void)
{
	const double t[] = {0, 1, 2, 4}, p[] = {40, 60, 50, 45};
	double x[32], y[32];
	size_t n = power_band_polygon(t, p, 4, (struct power_bound){1.5, 1.0}, x, y);
	const double want_x[] = {0, 0.5, 0.5, 1, 1, 2, 2, 2.5, 2.5, 4, 4, 2.5, 2.5, 2, 2, 1, 1, 0.5, 0.5, 0};
	const double want_y[] = {61, 61, 61, 61, 51, 51, 46, 46, 46, 46, 44, 44, 44, 44, 49, 49, 49, 49, 59, 59};
	CU_ASSERT_EQUAL_FATAL(n, sizeof want_x / sizeof want_x[0]);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_DOUBLE_EQUAL(x[i], want_x[i], 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(y[i], want_y[i], 1e-12);
	}
}

/* What energymon writes: the power series' bound and an idle baseline. */
static const char bounded_call[] =
	"{\"energy_consumption\": {\"job_key\": \"b\", \"call_id\": \"0\", \"source\": \"ipmi\","
	" \"energy_system\": 190.0, \"energy_system_uncertainty_j\": 9.0, \"energy_system_dynamic\": 50.0,"
	" \"energy_system_dynamic_uncertainty_j\": 12.0, \"idle_power_system_w\": 35.0},"
	" \"power_readings\": [{\"timestamp\": 100.0, \"power\": 40.0}, {\"timestamp\": 101.0, \"power\": 60.0},"
	" {\"timestamp\": 102.0, \"power\": 50.0}, {\"timestamp\": 104.0, \"power\": 45.0}],"
	" \"energymon\": {\"series\": [{\"quantity\": \"power\", \"unit\": \"W\","
	" \"bound\": {\"look_s\": 1.5, \"resolution\": 1.0}}]}}";

/* The SVG of `dir`'s plot, checked to be well formed. */
static char *plot_svg(const struct fixture_dir *in)
{
	char path[512];
	fixture_path(in, "power.svg", path, sizeof path);
	struct report_capture cap;
	const char *args[] = {"--plot", path, in->path, NULL};
	if (fixture_run_report(args, &cap) != 0)
		return NULL;
	CU_ASSERT_EQUAL(cap.status, 0);
	fixture_capture_free(&cap);
	char *svg = fixture_read_file(path, NULL);
	remove(path);
	char why[128] = "";
	size_t paths;
	if (svg != NULL && xml_check(svg, "svg", "path", &paths, why, sizeof why) != 0) {
		fprintf(stderr, "\n    SVG not well formed: %s\n", why);
		CU_FAIL("SVG not well formed");
	}
	return svg;
}

/* Paths whose style holds `style` and whose d has at least `points` points. */
static size_t paths_with(const char *svg, const char *style, size_t points)
{
	size_t count = 0;
	for (const char *p = strstr(svg, "<path "); p != NULL; p = strstr(p + 1, "<path ")) {
		const char *end = strstr(p, "/>"), *s = strstr(p, style), *d = strstr(p, " d=\"");
		if (end == NULL || s == NULL || s > end || d == NULL || d > end)
			continue;
		size_t n = 0;
		for (const char *c = d + 4; c < end && *c != '"'; c++)
			n += *c == 'M' || *c == 'L';
		count += n >= points;
	}
	return count;
}

/* The band is one translucent polygon in the line's colour (blue, the
 * first call's) with the steps of test_band_between_refreshes (cairo drops
 * repeated points: at least 8 are left, where the legend's box has 5); the
 * idle line at
 * 35 W is drawn dashed: PLplot draws dashes as short separate strokes. */
#define BAND_FILL "fill:rgb(12.156863%,46.666667%,70.588235%);fill-opacity:0.25;"
#define IDLE_STROKE "stroke-width:1.5;stroke-linecap:round;stroke-linejoin:bevel;stroke:rgb(12.156863%,46.666667%,70.588235%)"

static void test_svg_band_and_idle_line(void)
{
	struct fixture_dir bounded;
	CU_ASSERT_EQUAL_FATAL(fixture_dir_create(&bounded), 0);
	CU_ASSERT_EQUAL(fixture_write(&bounded, "b_0_ipmi.json", bounded_call), 0);
	char *svg = plot_svg(&bounded);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_EQUAL(paths_with(svg, BAND_FILL, 8), 1);
	CU_ASSERT(paths_with(svg, IDLE_STROKE, 2) >= 10);
	free(svg);
	fixture_dir_remove(&bounded);
}

static void test_svg_without_bounds_has_neither(void)
{
	char *svg = plot_svg(&dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_PTR_NULL(strstr(svg, "fill-opacity:0.25"));
	CU_ASSERT_PTR_NULL(strstr(svg, "stroke-width:1.5;"));
	free(svg);
}

static void test_xml_check_rejects_broken_svg(void)
{
	char why[128];
	size_t n;
	CU_ASSERT_EQUAL(xml_check("<svg><g></svg>", "svg", NULL, &n, why, sizeof why), -1);
	CU_ASSERT_EQUAL(xml_check("<html></html>", "svg", NULL, &n, why, sizeof why), -1);
	CU_ASSERT_EQUAL(xml_check("<svg a=b></svg>", "svg", NULL, &n, why, sizeof why), -1);
	CU_ASSERT_EQUAL(xml_check("<?xml version=\"1.0\"?><svg><path d=\"M 0 0\"/></svg>", "svg",
	                          "path", &n, why, sizeof why), 0);
	CU_ASSERT_EQUAL(n, 1);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("report plot", setup, teardown);
	CU_add_test(suite, "png is produced and valid", test_png_is_produced_and_valid);
	CU_add_test(suite, "svg is produced and valid", test_svg_is_produced_and_valid);
	CU_add_test(suite, "many calls still valid", test_many_calls_still_valid);
	CU_add_test(suite, "nothing to draw fails without file", test_nothing_to_draw_fails_without_file);
	CU_add_test(suite, "band between refreshes", test_band_between_refreshes);
	CU_add_test(suite, "svg band and idle line", test_svg_band_and_idle_line);
	CU_add_test(suite, "svg without bounds has neither", test_svg_without_bounds_has_neither);
	CU_add_test(suite, "xml check rejects broken svg", test_xml_check_rejects_broken_svg);
	return cunit_run_registered();
}
