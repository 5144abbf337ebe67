/*
 * test_agent_exited_root.c — a window whose tree has ended (the worker
 * exited and was reaped: `energymon run -- CMD` under the agent, any
 * client that measures a child) still gets that tree's CPU time, even
 * when another client's window begins meanwhile and so changes the set of
 * trees the agent follows. Deterministic: the order is forced. Its own
 * program, so that a failure here does not hide the 16 clients' results.
 */
#include "test_agent_clients.h"

#include <math.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static struct em_monitor *window_on(struct em_config *cfg, pid_t root)
{
	struct em_monitor *mon = NULL;
	struct em_error err = {0};
	int rc = em_monitor_create(cfg, root, &mon, &err);
	if (rc == 0)
		rc = em_monitor_start(mon, &err);
	if (rc)
		printf("\n  window on pid %d: %s", (int)root, err.message);
	CU_ASSERT_EQUAL(rc, 0);
	return rc ? (em_monitor_destroy(mon), NULL) : mon;
}

static json_t *end_of(struct em_monitor *mon)
{
	struct em_error err = {0};
	CU_ASSERT_EQUAL(em_monitor_stop(mon, &err), 0);
	char *text = em_monitor_result_json(mon);
	json_t *res = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	CU_ASSERT_PTR_NOT_NULL(res);
	return res;
}

static void test_exited_tree_keeps_its_cpu_time(void)
{
	char text[512];
	agent_client_config(text, sizeof(text), "[\"ipmi\", \"ebpf\"]");
	setenv("ENERGYMON_SOCKET", env.agent.socket, 1);
	struct em_config *cfg = NULL;
	struct em_error err = {0};
	CU_ASSERT_EQUAL_FATAL(em_config_load_string(text, &cfg, &err), 0);
	int gate[2];
	CU_ASSERT_FATAL(pipe(gate) == 0);
	fflush(NULL);
	pid_t worker = fork();
	if (worker == 0) {
		close(gate[1]);
		wait_go(gate[0]);
		burn_cpu(0.3);
		_exit(0);
	}
	close(gate[0]);
	struct em_monitor *a = window_on(cfg, worker);
	close(gate[1]);
	struct rusage ru;
	CU_ASSERT(wait4(worker, NULL, 0, &ru) == worker);
	/* the tree has ended; now another tree's window begins */
	pid_t other = fork();
	if (other == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	struct em_monitor *b = window_on(cfg, other);
	sleep_s(0.3);
	json_t *res_a = a ? end_of(a) : NULL, *res_b = b ? end_of(b) : NULL;
	double kernel = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	                (double)ru.ru_stime.tv_usec / 1e6;
	double cpu = tree_cpu_time(res_a);
	printf("\n  the ended tree: ebpf %.4f s, kernel %.4f s; the sleeping tree: %.4f s", cpu, kernel,
	       tree_cpu_time(res_b));
	CU_ASSERT(kernel >= 0.29);
	CU_ASSERT_DOUBLE_EQUAL(cpu, kernel, kernel * 0.02);
	CU_ASSERT(tree_cpu_time(res_b) < 0.01);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	json_decref(res_a);
	json_decref(res_b);
	em_monitor_destroy(a);
	em_monitor_destroy(b);
	em_config_free(cfg);
	unsetenv("ENERGYMON_SOCKET");
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{"a window whose tree ended keeps its CPU time when the trees change",
		 test_exited_tree_keeps_its_cpu_time},
		CU_TEST_INFO_NULL,
	};
	int rc = agent_test_setup(&env, "ipmi,ebpf");
	if (rc != 0)
		return rc;
	rc = run_suite("agent: an ended tree", tests);
	agent_test_teardown(&env);
	return rc;
}
