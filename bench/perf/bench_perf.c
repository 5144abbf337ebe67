/*
 * bench_perf — nanoseconds per sample() of the perf plugin, for each backend
 * this machine can run, beside the floor: one pread() of one sysfs file.
 *
 *   bench_perf PATH/TO/perf.so [samples]
 *
 * Powercap is measured on a test tree of two packages (package, cores,
 * DRAM) and psys, 7 counters, as the tests build it; perf and powercap on
 * the real interfaces where this machine has RAPL. When a backend cannot
 * run, the line says why instead of a number.
 */
#include "bench_host.h"
#include "rapl_tree.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void floor_pread(const char *label, const char *path, long n)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%-58s not measured: cannot open %s\n", label, path);
		return;
	}
	for (long i = 0; i < n / 10; i++) /* warm up */
		if (pread(fd, buf, sizeof(buf), 0) < 0)
			break;
	double t0 = now_s();
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) < 0)
			break;
	double ns = (now_s() - t0) * 1e9 / (double)n;
	close(fd);
	printf("%-58s %10.0f ns/read\n", label, ns);
}

static void bench_backend(const struct energy_plugin *p, const char *label, const char *root,
			  const char *backend, long n)
{
	struct bench_host b;
	void *inst = NULL;
	char why[ENERGY_REASON_MAX];
	bench_host_init(&b, root, backend);
	if (p->create(&b.host, &inst, why, sizeof(why)) != 0) {
		printf("%-58s not measured: %s\n", label, why);
		return;
	}
	if (p->start(inst) != 0) {
		printf("%-58s not measured: start: %s\n", label, b.error);
		p->destroy(inst);
		return;
	}
	unsigned long per_sample = b.emitted;
	for (long i = 0; i < n / 10; i++)
		p->sample(inst);
	double t0 = now_s();
	int failures = 0;
	for (long i = 0; i < n; i++)
		failures += p->sample(inst) != 0;
	double ns = (now_s() - t0) * 1e9 / (double)n;
	p->stop(inst);
	p->destroy(inst);
	if (failures)
		printf("%-58s not measured: %d samples failed: %s\n", label, failures, b.error);
	else
		printf("%-58s %10.0f ns/sample (%lu counters, %.0f ns each)\n", label, ns, per_sample,
		       per_sample ? ns / (double)per_sample : 0);
}

static int build_tree(struct rapl_tree *t)
{
	const char *zones[][2] = { { "intel-rapl:0", "package-0" }, { "intel-rapl:0:0", "core" },
				   { "intel-rapl:0:1", "dram" },   { "intel-rapl:1", "package-1" },
				   { "intel-rapl:1:0", "core" },   { "intel-rapl:1:1", "dram" },
				   { "intel-rapl:2", "psys" } };
	int rc = rapl_tree_make(t);
	for (size_t i = 0; rc == 0 && i < sizeof(zones) / sizeof(zones[0]); i++)
		rc = rapl_tree_add_zone(t, zones[i][0], zones[i][1], 123456789, 262143328850ull, 0);
	return rc;
}

/* The perf read path (one read() per counter fd) on the software PMU's
 * cpu-clock: the same system calls, not RAPL (whose read also asks the
 * package's CPU for the MSR), so a lower bound for perf on real RAPL. */
static int build_software_pmu_tree(struct rapl_tree *t)
{
	char type[16] = "";
	FILE *f = fopen("/sys/bus/event_source/devices/software/type", "r");
	int ok = f && fgets(type, sizeof(type), f);
	if (f)
		fclose(f);
	int rc = ok ? rapl_tree_make(t) : -1;
	if (rc == 0)
		rc = rapl_tree_add_pmu(t, (unsigned)atoi(type), "0", NULL);
	if (rc == 0)
		rc = rapl_tree_add_pmu_event(t, "energy-pkg", "event=0x00");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH/TO/perf.so [samples]\n", argv[0]);
		return 2;
	}
	long n = argc > 2 ? atol(argv[2]) : 20000;
	void *dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	energy_plugin_entry_fn entry = dl ? (energy_plugin_entry_fn)dlsym(dl, ENERGY_PLUGIN_ENTRY_SYMBOL) : NULL;
	if (!entry) {
		fprintf(stderr, "%s: %s\n", argv[1], dl ? "no entry symbol" : dlerror());
		return 1;
	}
	const struct energy_plugin *p = entry();
	struct rapl_tree t;
	char energy_path[PATH_MAX];
	if (build_tree(&t) != 0) {
		fprintf(stderr, "cannot build the test tree under $TMPDIR or /tmp\n");
		return 1;
	}
	rapl_tree_energy_path(&t, "intel-rapl:0", energy_path, sizeof(energy_path));

	printf("perf plugin, %ld samples each\n", n);
	floor_pread("floor: pread() of a real sysfs file (cpu0 package id)",
		    "/sys/devices/system/cpu/cpu0/topology/physical_package_id", n);
	floor_pread("floor: pread() of one energy_uj of the test tree", energy_path, n);
	bench_backend(p, "powercap backend, test tree (2 packages + psys)", t.root, "powercap", n);
	bench_backend(p, "powercap backend, this machine", "/", "powercap", n);
	bench_backend(p, "perf backend, this machine", "/", "perf", n);
	rapl_tree_remove(&t);
	if (build_software_pmu_tree(&t) == 0)
		bench_backend(p, "perf read path, software PMU standing in (not RAPL)", t.root, "perf", n);
	rapl_tree_remove(&t);
	dlclose(dl);
	return 0;
}
