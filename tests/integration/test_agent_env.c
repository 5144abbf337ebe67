/*
 * test_agent_env.c — the running parts of the agent's tests: the
 * simulated BMC following a known power profile, and energymond from the
 * build tree reaching it over lanplus (the password by file: never on a
 * command line), on a socket every user can reach.
 */
#include "test_agent_clients.h"

#include <math.h>
#include <time.h>

struct agent_test_env env;

static void triangle_profile(struct agent_test_env *e)
{
	double t0 = now_unix() - 1, w = 100, step = 1;
	e->profile_n = 0;
	while (e->profile_n < PROFILE_MAX) {
		e->profile_t[e->profile_n] = t0 + 0.05 * (double)e->profile_n;
		e->profile_w[e->profile_n++] = w;
		if ((w >= 300 && step > 0) || (w <= 100 && step < 0))
			step = -step;
		w += step;
	}
}

/* Why the ebpf plugin cannot run here (into why), or false when it can. */
static bool ebpf_unavailable(char *why, size_t len)
{
	char *text = em_plugins_list_json(NULL);
	json_t *list = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	size_t i;
	json_t *p;
	snprintf(why, len, "the ebpf plugin is not built (ebpf.so not on ENERGYMON_PLUGIN_PATH)");
	bool unavailable = true;
	json_array_foreach(list, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "name")) ?: "", "ebpf"))
			continue;
		unavailable = !json_is_true(json_object_get(p, "available"));
		snprintf(why, len, "the ebpf plugin cannot run here: %s",
		         json_string_value(json_object_get(p, "reason")) ?: "(no reason given)");
	}
	json_decref(list);
	return unavailable;
}

void agent_client_config(char *buf, size_t len, const char *strategy)
{
	snprintf(buf, len,
	         "{\"energy_agent\": \"required\", \"lithops\": {\"energy_strategy\": %s},"
	         " \"energy_sampling_interval\": 0.1}",
	         strategy);
}

int agent_test_setup(struct agent_test_env *e, const char *plugins)
{
	char why[1024];
	bool wants_ebpf = strstr(plugins, "ebpf") != NULL;
	if (wants_ebpf && geteuid() != 0) {
		printf("skipped: the ebpf plugin needs root (CAP_BPF and CAP_PERFMON) to load its program\n");
		return 77;
	}
	if (wants_ebpf && ebpf_unavailable(why, sizeof(why))) {
		printf("skipped: %s\n", why);
		return 77;
	}
	int rc = start_bmc(&e->bmc, e->sdr_dir, sizeof(e->sdr_dir));
	if (rc != 0)
		return rc;
	triangle_profile(e);
	if (simbmc_write_profile(&e->bmc, e->profile_t, e->profile_w, e->profile_n) != 0) {
		fprintf(stderr, "cannot write the BMC's profile: %s\n", e->bmc.error);
		simbmc_cleanup(&e->bmc);
		return 1;
	}
	char host[64], user[64], password[200], sdr[200];
	snprintf(host, sizeof(host), "ipmi_host=%s", e->bmc.host);
	snprintf(user, sizeof(user), "ipmi_username=%s", e->bmc.user);
	snprintf(password, sizeof(password), "ipmi_password_file=%s", e->bmc.password_file);
	snprintf(sdr, sizeof(sdr), "ipmi_sdr_cache_dir=%s", e->sdr_dir);
	const char *args[] = {"--plugins", plugins, "--interval", "0.1", "--set", host, "--set", user,
	                      "--set", password, "--set", "ipmi_workarounds=opensesspriv", "--set", sdr,
	                      "--set", "ipmi_sensor_interval=1", NULL};
	if (agent_start(&e->agent, args) != 0) {
		fprintf(stderr, "cannot start energymond: %s\n", e->agent.error);
		agent_test_teardown(e);
		return 1;
	}
	/* every source the test needs runs in the agent */
	char list[64];
	snprintf(list, sizeof(list), "%s", plugins);
	for (char *save = NULL, *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const json_t *s = agent_source(&e->agent, id);
		if (s && json_is_true(json_object_get(s, "available")))
			continue;
		const char *reason = json_string_value(json_object_get(s, "reason"));
		rc = !strcmp(id, "ebpf") && s ? 77 : 1;
		printf("%s: the agent's source %s %s: %s\n", rc == 77 ? "skipped" : "FAIL", id,
		       s ? "is unavailable" : "is missing", reason ? reason : "(no reason given)");
		agent_print_log(&e->agent);
		agent_test_teardown(e);
		return rc;
	}
	return 0;
}

void agent_test_teardown(struct agent_test_env *e)
{
	agent_cleanup(&e->agent);
	simbmc_cleanup(&e->bmc);
}

/* The status op: {"connections": N, "windows": N, "followed_roots": N, ...} */
int agent_status(const struct agent *a, long *windows, long *roots)
{
	int rc = 0;
	json_t *status = agent_wire_call_once(a->socket, "{\"v\":1,\"op\":\"status\"}", 5000, &rc);
	const json_t *w = json_object_get(status, "windows"), *r = json_object_get(status, "followed_roots");
	if (!json_is_true(json_object_get(status, "ok")) || !json_is_integer(w) || !json_is_integer(r)) {
		char *text = status ? json_dumps(status, JSON_COMPACT) : NULL;
		printf("\n  the agent's status has no counts of windows and roots (%s): %.500s", strerror(-rc),
		       text ? text : "");
		free(text);
		json_decref(status);
		return -1;
	}
	*windows = (long)json_integer_value(w);
	*roots = (long)json_integer_value(r);
	json_decref(status);
	return 0;
}

double tree_cpu_time(const json_t *res)
{
	double v = energy_of(res, NULL, "cpu_time");
	return isnan(v) ? energy_of(res, "ebpf", "cpu_time") : v;
}

void burn_cpu(double seconds)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 20000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	(void)x;
}

void wait_go(int go)
{
	char b;
	ssize_t n;
	while ((n = read(go, &b, 1)) != 0)
		if (n < 0 && errno != EINTR)
			return;
}
