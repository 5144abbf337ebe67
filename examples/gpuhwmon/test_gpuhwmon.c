/*
 * test_gpuhwmon.c — the example GPU plugin without energymon: its file
 * reading, and the plugin itself driven through its vtable by a small
 * recording host that speaks ABI 1.1, or 1.0 (to check it degrades).
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_run.h"
#include "energy_plugin.h"
#include "hwmon_files.h"

/* ---- a temporary hwmon-like directory ---- */

static char dir[256];

static void put(const char *name, const char *text)
{
	char path[512], tmp[520];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, path), 0);
}

static void drop(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/gpuhwmon-test-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void)
{
	static const char *const names[] = {"energy1_input", "energy2_input", "energy4_input",
	                                    "power1_average", "temp1_input", "plain", NULL};
	for (size_t i = 0; names[i]; i++)
		drop(names[i]);
	return rmdir(dir);
}

/* ---- hwmon_files ---- */

static void test_parse_integer(void)
{
	long long v = 0;
	CU_ASSERT_EQUAL(hwmon_parse_integer("123456\n", &v), 0);
	CU_ASSERT_EQUAL(v, 123456);
	CU_ASSERT_EQUAL(hwmon_parse_integer("-5", &v), 0);
	CU_ASSERT_EQUAL(v, -5);
	static const char *const bad[] = {"", "\n", "12a", "abc", " 12", "1.5", "99999999999999999999999", NULL};
	for (size_t i = 0; bad[i]; i++) {
		v = 77;
		CU_ASSERT_EQUAL(hwmon_parse_integer(bad[i], &v), -EINVAL);
		CU_ASSERT_EQUAL(v, 77); /* never a value from a torn file */
	}
}

static void test_open_dir_names_key_and_path(void)
{
	char why[512], path[512];
	snprintf(path, sizeof(path), "%s/absent", dir);
	CU_ASSERT_EQUAL(hwmon_open_dir(path, why, sizeof(why)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "gpuhwmon_dir"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, path));
	put("plain", "1\n");
	snprintf(path, sizeof(path), "%s/plain", dir);
	CU_ASSERT_EQUAL(hwmon_open_dir(path, why, sizeof(why)), -ENOTDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "gpuhwmon_dir"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "is not a directory"));
	int fd = hwmon_open_dir(dir, why, sizeof(why));
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	drop("plain");
}

static void test_read_and_find_files(void)
{
	put("energy1_input", "1000\n");
	put("energy2_input", "2000\n");
	put("energy4_input", "4000\n");
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(fd >= 0);
	unsigned numbers[HWMON_MAX_ENERGY_FILES];
	CU_ASSERT_EQUAL(hwmon_find_energy_files(fd, numbers), 3);
	CU_ASSERT_EQUAL(numbers[0], 1);
	CU_ASSERT_EQUAL(numbers[1], 2);
	CU_ASSERT_EQUAL(numbers[2], 4);
	long long v;
	char why[256];
	CU_ASSERT_EQUAL(hwmon_read_integer(fd, "energy2_input", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 2000);
	put("energy2_input", "2500\n"); /* replaced by rename: read anew */
	CU_ASSERT_EQUAL(hwmon_read_integer(fd, "energy2_input", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 2500);
	put("energy4_input", "garbage\n");
	CU_ASSERT_EQUAL(hwmon_read_integer(fd, "energy4_input", &v, why, sizeof(why)), -EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "energy4_input: \"garbage\" is not an integer"));
	CU_ASSERT_EQUAL(hwmon_read_integer(fd, "temp9_input", &v, why, sizeof(why)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "temp9_input"));
	close(fd);
	drop("energy1_input");
	drop("energy2_input");
	drop("energy4_input");
}

/* ---- a recording host ---- */

struct fake_host {
	struct energy_host host;
	const char *dir_value;
	struct energy_metric declared[16];
	int n_declared;
	struct { int id; double value; } emitted[64];
	int n_emitted;
	struct energy_reading readings[64];
	int n_readings;
	char reason[16][ENERGY_REASON_MAX];
	char error[ENERGY_REASON_MAX];
	char log[4096];
	int v2_lookups, v1_lookups;
};

static struct fake_host fake;

static int fill(struct fake_host *f, const char *key, const char **string)
{
	if (strcmp(key, "gpuhwmon_dir") != 0)
		return -EINVAL;
	if (!f->dir_value)
		return -ENOENT;
	*string = f->dir_value;
	return 0;
}

static int f_config_get(void *ctx, const char *key, struct energy_config_value *out)
{
	struct fake_host *f = ctx;
	f->v1_lookups++;
	out->type = ENERGY_CONFIG_STRING;
	return fill(f, key, &out->string);
}

static int f_config_get_v2(void *ctx, const char *key, struct energy_config_value_v2 *out)
{
	struct fake_host *f = ctx;
	f->v2_lookups++;
	CU_ASSERT_EQUAL(out->struct_size, sizeof(*out));
	out->type = ENERGY_CONFIG_STRING;
	return fill(f, key, &out->string);
}

static void f_log(void *ctx, int level, const char *fmt, ...)
{
	struct fake_host *f = ctx;
	(void)level;
	size_t used = strlen(f->log);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->log + used, sizeof(f->log) - used, fmt, ap);
	va_end(ap);
}

static int f_emit(void *ctx, const struct energy_reading *r)
{
	struct fake_host *f = ctx;
	if (r->scope > ENERGY_SCOPE_SENSOR) /* what a 1.0 host does */
		return -EINVAL;
	if (f->n_readings < 64)
		f->readings[f->n_readings++] = *r;
	return 0;
}

static void f_set_error(void *ctx, const char *fmt, ...)
{
	struct fake_host *f = ctx;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
}

static int f_note_string(void *ctx, const char *k, const char *v) { (void)ctx; (void)k; (void)v; return 0; }
static int f_note_number(void *ctx, const char *k, double v, const char *u)
{
	(void)ctx; (void)k; (void)v; (void)u;
	return 0;
}
static int f_require_interval(void *ctx, double s) { (void)ctx; (void)s; return 0; }

static int f_declare(void *ctx, const struct energy_metric *m)
{
	struct fake_host *f = ctx;
	CU_ASSERT_EQUAL(m->struct_size, sizeof(*m));
	f->declared[f->n_declared] = *m;
	return f->n_declared++;
}

static int f_emit_metric(void *ctx, int id, double value, int64_t mono, int64_t wall)
{
	struct fake_host *f = ctx;
	(void)mono; (void)wall;
	if (id < 0 || id >= f->n_declared)
		return -EINVAL;
	f->emitted[f->n_emitted].id = id;
	f->emitted[f->n_emitted++].value = value;
	return 0;
}

static int f_metric_reason(void *ctx, int id, const char *fmt, ...)
{
	struct fake_host *f = ctx;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->reason[id], sizeof(f->reason[id]), fmt, ap);
	va_end(ap);
	return 0;
}

/* abi_minor 1: every 1.1 member; 0: a 1.0 host's struct, which ends before `instance`. */
static void fake_reset(int abi_minor, const char *dir_value)
{
	memset(&fake, 0, sizeof(fake));
	struct energy_host *h = &fake.host;
	h->struct_size = abi_minor ? sizeof(*h) : offsetof(struct energy_host, instance);
	h->abi_major = 1;
	h->abi_minor = (uint32_t)abi_minor;
	h->ctx = &fake;
	h->interval_s = 0.1;
	h->config_get = f_config_get;
	h->log = f_log;
	h->emit = f_emit;
	h->set_error = f_set_error;
	h->note_string = f_note_string;
	h->note_number = f_note_number;
	h->require_interval = f_require_interval;
	if (abi_minor) {
		h->config_get_v2 = f_config_get_v2;
		h->declare_metric = f_declare;
		h->emit_metric = f_emit_metric;
		h->metric_reason = f_metric_reason;
	}
	fake.dir_value = dir_value;
}

static int find_declared(const char *key)
{
	for (int i = 0; i < fake.n_declared; i++)
		if (strcmp(fake.declared[i].key, key) == 0)
			return i;
	return -1;
}

static double last_emitted(int id)
{
	for (int i = fake.n_emitted - 1; i >= 0; i--)
		if (fake.emitted[i].id == id)
			return fake.emitted[i].value;
	return NAN;
}

static void test_config_errors_name_key_and_path(void)
{
	const struct energy_plugin *p = energymon_plugin_entry();
	char why[512];
	void *inst = NULL;
	fake_reset(1, NULL);
	CU_ASSERT_EQUAL(p->probe(&fake.host, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "gpuhwmon_dir is not set"));
	CU_ASSERT_EQUAL(p->create(&fake.host, &inst, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NULL(inst);
	CU_ASSERT(fake.v2_lookups > 0); /* a 1.1 host is asked through config_get_v2 */
	CU_ASSERT_EQUAL(fake.v1_lookups, 0);
	char file[300];
	snprintf(file, sizeof(file), "%s/plain", dir);
	put("plain", "x");
	fake_reset(1, file);
	CU_ASSERT_EQUAL(p->create(&fake.host, &inst, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, file));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "gpuhwmon_dir"));
	drop("plain");
	fake_reset(1, dir); /* an empty directory: nothing to measure */
	CU_ASSERT_EQUAL(p->create(&fake.host, &inst, why, sizeof(why)), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "energy1_input"));
	CU_ASSERT_PTR_NULL(inst);
	CU_ASSERT_PTR_NULL(p->set_targets);
	CU_ASSERT_PTR_NOT_NULL(p->config_keys_v2);
	CU_ASSERT_STRING_EQUAL(p->config_keys_v2[0]->name, "gpuhwmon_dir");
	CU_ASSERT_STRING_EQUAL(p->config_keys[0].name, "gpuhwmon_dir");
}

static void test_declares_and_emits_in_metric_units(void)
{
	put("energy1_input", "5000000\n"); /* 5 J in microjoules */
	put("energy2_input", "9000000\n");
	put("power1_average", "42500000\n"); /* 42.5 W in microwatts */
	put("temp1_input", "61250\n");       /* 61.25 degC in millidegrees */
	const struct energy_plugin *p = energymon_plugin_entry();
	fake_reset(1, dir);
	char why[512] = "";
	void *inst = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&fake.host, &inst, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(fake.n_declared, 4);
	int e0 = find_declared("gpu0_energy"), e1 = find_declared("gpu1_energy");
	int pw = find_declared("gpu_power"), t = find_declared("gpu_temp");
	CU_ASSERT_FATAL(e0 >= 0 && e1 >= 0 && pw >= 0 && t >= 0);
	CU_ASSERT_EQUAL(fake.declared[e0].kind, ENERGY_KIND_COUNTER);
	CU_ASSERT_EQUAL(fake.declared[e0].unit, ENERGY_UNIT_JOULE);
	CU_ASSERT_EQUAL(fake.declared[e0].scope, ENERGY_SCOPE_ACCELERATOR);
	CU_ASSERT_EQUAL(fake.declared[e0].index, 0);
	CU_ASSERT_EQUAL(fake.declared[e1].index, 1);
	CU_ASSERT_EQUAL(fake.declared[e0].flags & ENERGY_METRIC_ATTRIBUTABLE, 0);
	CU_ASSERT_EQUAL(fake.declared[pw].kind, ENERGY_KIND_GAUGE);
	CU_ASSERT_EQUAL(fake.declared[pw].unit, ENERGY_UNIT_WATT);
	CU_ASSERT_EQUAL(fake.declared[t].kind, ENERGY_KIND_GAUGE);
	CU_ASSERT_EQUAL(fake.declared[t].unit, ENERGY_UNIT_CELSIUS);
	CU_ASSERT_EQUAL(p->start(inst), 0);
	CU_ASSERT_EQUAL(p->sample(inst), 0);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(e0), 5.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(e1), 9.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(pw), 42.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(t), 61.25, 1e-9);
	CU_ASSERT_EQUAL(fake.n_readings, 0); /* nothing through the 1.0 path */
	/* A file that goes away: no value (never 0) for it, the others go on,
	 * and the metric says why at the end. */
	drop("energy2_input");
	put("energy1_input", "6000000\n");
	int before = fake.n_emitted;
	CU_ASSERT_EQUAL(p->sample(inst), 0);
	CU_ASSERT_EQUAL(fake.n_emitted - before, 3);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(e0), 6.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(last_emitted(e1), 9.0, 1e-9); /* unchanged: nothing new emitted */
	CU_ASSERT_EQUAL(p->stop(inst), 0);
	CU_ASSERT_EQUAL(p->get_data(inst), 0);
	CU_ASSERT_STRING_EQUAL(fake.reason[e1], ""); /* it was read once: a value exists */
	CU_ASSERT_PTR_NOT_NULL(strstr(fake.log, "energy2_input"));
	p->destroy(inst);
	drop("energy1_input");
	drop("power1_average");
	drop("temp1_input");
}

static void test_unreadable_file_gets_a_reason(void)
{
	put("energy1_input", "1000000\n");
	put("temp1_input", "50000\n");
	const struct energy_plugin *p = energymon_plugin_entry();
	fake_reset(1, dir);
	char why[512];
	void *inst = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&fake.host, &inst, why, sizeof(why)), 0);
	int t = find_declared("gpu_temp");
	put("temp1_input", "N/A\n");
	CU_ASSERT_EQUAL(p->sample(inst), 0); /* energy1 still read */
	put("energy1_input", "oops\n");
	CU_ASSERT_EQUAL(p->sample(inst), -EIO); /* nothing readable: a gap */
	CU_ASSERT_PTR_NOT_NULL(strstr(fake.error, dir));
	CU_ASSERT_EQUAL(p->get_data(inst), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(fake.reason[t], "temp1_input"));
	CU_ASSERT_PTR_NOT_NULL(strstr(fake.reason[t], "is not an integer"));
	CU_ASSERT_STRING_EQUAL(fake.reason[find_declared("gpu0_energy")], "");
	p->destroy(inst);
	drop("energy1_input");
	drop("temp1_input");
}

/* On a 1.0 host: no declared metrics, only the temperature through emit(). */
static void test_degrades_on_a_1_0_host(void)
{
	put("energy1_input", "5000000\n");
	put("temp1_input", "61250\n");
	const struct energy_plugin *p = energymon_plugin_entry();
	fake_reset(0, dir);
	fake.host.declare_metric = f_declare; /* beyond struct_size: must not be used */
	char why[512];
	void *inst = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&fake.host, &inst, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(fake.n_declared, 0);
	CU_ASSERT_EQUAL(fake.v2_lookups, 0);
	CU_ASSERT(fake.v1_lookups > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(fake.log, "offers no declared metrics"));
	CU_ASSERT_EQUAL(p->sample(inst), 0);
	CU_ASSERT_EQUAL(fake.n_readings, 1);
	CU_ASSERT_EQUAL(fake.readings[0].quantity, ENERGY_Q_TEMPERATURE_C);
	CU_ASSERT_EQUAL(fake.readings[0].scope, ENERGY_SCOPE_SENSOR);
	CU_ASSERT_DOUBLE_EQUAL(fake.readings[0].value, 61.25, 1e-9);
	CU_ASSERT_EQUAL(fake.n_emitted, 0);
	p->destroy(inst);
	drop("temp1_input");
	fake_reset(0, dir); /* energy only: nothing a 1.0 host can take */
	CU_ASSERT_EQUAL(p->create(&fake.host, &inst, why, sizeof(why)), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "ABI 1.0 host"));
	drop("energy1_input");
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("gpuhwmon", make_dir, remove_dir);
	CU_add_test(suite, "parse integer", test_parse_integer);
	CU_add_test(suite, "open dir names key and path", test_open_dir_names_key_and_path);
	CU_add_test(suite, "read and find files", test_read_and_find_files);
	CU_add_test(suite, "config errors name key and path", test_config_errors_name_key_and_path);
	CU_add_test(suite, "declares and emits in metric units", test_declares_and_emits_in_metric_units);
	CU_add_test(suite, "unreadable file gets a reason", test_unreadable_file_gets_a_reason);
	CU_add_test(suite, "degrades on a 1.0 host", test_degrades_on_a_1_0_host);
	return cunit_run_registered();
}
