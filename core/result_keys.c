/* The table behind result_keys.h. Changing a name here changes the files
 * Lithops users' notebooks read: add keys, never rename them. */
#include "result_keys.h"
#include "energy_plugin.h"

#include <string.h>

const struct em_result_key em_result_keys[] = {
	{"system", "energy_system", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_SYSTEM,
	 "whole-server energy, integrated from system power (BMC/DCMI)"},
	{"avg_power", "avg_power", "W", EM_ROLE_POWER_STAT, ENERGY_SCOPE_SYSTEM,
	 "time-weighted mean system power (system / covered time)"},
	{"min_power", "min_power", "W", EM_ROLE_POWER_STAT, ENERGY_SCOPE_SYSTEM, "lowest system power reading"},
	{"max_power", "max_power", "W", EM_ROLE_POWER_STAT, ENERGY_SCOPE_SYSTEM, "highest system power reading"},
	{"power_std_dev", "power_std_dev", "W", EM_ROLE_POWER_STAT, ENERGY_SCOPE_SYSTEM,
	 "sample standard deviation of the system power readings"},
	{"psys", "energy_psys", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_SYSTEM, "platform energy counter (RAPL psys)"},
	{"pkg", "energy_pkg", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_CPU_PACKAGE,
	 "CPU package energy, summed over packages (RAPL pkg)"},
	{"cores", "energy_cores", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_CPU_CORES, "CPU cores energy (RAPL pp0)"},
	{"uncore", "energy_uncore", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_CPU_UNCORE,
	 "uncore / integrated GPU energy (RAPL pp1)"},
	{"dram", "energy_dram", "J", EM_ROLE_ENERGY, ENERGY_SCOPE_DRAM, "memory energy (RAPL dram)"},
	{"cpu_time", "cpu_time", "s", EM_ROLE_CPU_TIME, ENERGY_SCOPE_PROCESS,
	 "CPU time of the monitored process tree"},
	{"machine_busy_time", "machine_busy_time", "s", EM_ROLE_CPU_TIME, ENERGY_SCOPE_SYSTEM,
	 "busy CPU time of the whole machine"},
	{"cpu_share", "cpu_share", "ratio", EM_ROLE_RATIO, ENERGY_SCOPE_PROCESS,
	 "cpu_time / machine_busy_time over the same interval"},
	{"avg_cpu_temp", "avg_cpu_temp", "degC", EM_ROLE_TEMPERATURE, ENERGY_SCOPE_SENSOR,
	 "mean of temperature sensors whose name contains \"cpu\""},
	{"avg_system_temp", "avg_system_temp", "degC", EM_ROLE_TEMPERATURE, ENERGY_SCOPE_SENSOR,
	 "mean of the other temperature sensors"},
	{"attributed_system", "energy_attributed_system", "J", EM_ROLE_ATTRIBUTED, ENERGY_SCOPE_PROCESS,
	 "system x cpu_share"},
	{"attributed_psys", "energy_attributed_psys", "J", EM_ROLE_ATTRIBUTED, ENERGY_SCOPE_PROCESS,
	 "psys x cpu_share"},
	{"attributed_pkg", "energy_attributed_pkg", "J", EM_ROLE_ATTRIBUTED, ENERGY_SCOPE_PROCESS,
	 "pkg x cpu_share"},
	{"attributed_dram", "energy_attributed_dram", "J", EM_ROLE_ATTRIBUTED, ENERGY_SCOPE_PROCESS,
	 "dram x cpu_share"},
	{NULL, NULL, NULL, 0, 0, NULL},
};

const struct em_readings_key em_readings_keys[] = {
	{ENERGY_Q_POWER_W, "power_readings", "power"},
	{ENERGY_Q_TEMPERATURE_C, "temperature_readings", "value"},
	{ENERGY_Q_VOLTAGE_V, "voltage_readings", "value"},
	{ENERGY_Q_CURRENT_A, "current_readings", "value"},
	{ENERGY_Q_FAN_RPM, "fan_readings", "value"},
	{0, NULL, NULL},
};

#define GAUGE_W ENERGY_KIND_GAUGE, ENERGY_UNIT_WATT
#define COUNTER_J ENERGY_KIND_COUNTER, ENERGY_UNIT_JOULE
#define SECONDS ENERGY_KIND_SECONDS, ENERGY_UNIT_SECOND
#define GAUGE_C ENERGY_KIND_GAUGE, ENERGY_UNIT_CELSIUS
const struct em_key_rule em_key_rules[] = {
	{"system", GAUGE_W, ENERGY_SCOPE_SYSTEM, EM_STAT_TOTAL, 0},
	{"avg_power", GAUGE_W, ENERGY_SCOPE_SYSTEM, EM_STAT_TIME_MEAN, 0},
	{"min_power", GAUGE_W, ENERGY_SCOPE_SYSTEM, EM_STAT_MIN, 0},
	{"max_power", GAUGE_W, ENERGY_SCOPE_SYSTEM, EM_STAT_MAX, 0},
	{"power_std_dev", GAUGE_W, ENERGY_SCOPE_SYSTEM, EM_STAT_STD_DEV, 0},
	{"psys", COUNTER_J, ENERGY_SCOPE_SYSTEM, EM_STAT_TOTAL, 0},
	{"pkg", COUNTER_J, ENERGY_SCOPE_CPU_PACKAGE, EM_STAT_TOTAL, 0},
	{"cores", COUNTER_J, ENERGY_SCOPE_CPU_CORES, EM_STAT_TOTAL, 0},
	{"uncore", COUNTER_J, ENERGY_SCOPE_CPU_UNCORE, EM_STAT_TOTAL, 0},
	{"dram", COUNTER_J, ENERGY_SCOPE_DRAM, EM_STAT_TOTAL, 0},
	{"cpu_time", SECONDS, ENERGY_SCOPE_PROCESS, EM_STAT_TOTAL, 0},
	{"machine_busy_time", SECONDS, ENERGY_SCOPE_SYSTEM, EM_STAT_TOTAL, 0},
	{"avg_cpu_temp", GAUGE_C, ENERGY_SCOPE_SENSOR, EM_STAT_SENSOR_MEAN, 1},
	{"avg_system_temp", GAUGE_C, ENERGY_SCOPE_SENSOR, EM_STAT_SENSOR_MEAN, 0},
	{NULL, 0, 0, 0, 0, 0},
};

const struct em_result_key *em_result_key_of_metric(uint32_t kind, uint32_t unit, uint32_t scope)
{
	for (const struct em_key_rule *r = em_key_rules; r->key; r++)
		if (r->stat == EM_STAT_TOTAL && r->kind == kind && r->unit == unit && r->scope == scope)
			return em_result_key_find(r->key);
	return NULL;
}

const struct em_result_key *em_result_key_find(const char *key)
{
	for (const struct em_result_key *k = em_result_keys; key && k->key; k++)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

const struct em_result_key *em_result_key_find_lithops(const char *lithops_key)
{
	for (const struct em_result_key *k = em_result_keys; lithops_key && k->key; k++)
		if (strcmp(k->lithops_key, lithops_key) == 0)
			return k;
	return NULL;
}

const char *const em_file_fields[] = {
	"job_key", "call_id", "timestamp", "duration", "source", "function_name", "placeholder",
	"reason", "complete", "covered_s", "units", NULL,
};

static bool is_file_field(const char *key)
{
	for (size_t i = 0; em_file_fields[i]; i++)
		if (strcmp(em_file_fields[i], key) == 0)
			return true;
	return false;
}

bool em_result_key_reserved(const char *key)
{
	return em_result_key_find(key) || is_file_field(key) || strncmp(key, "energy_", 7) == 0 ||
	       strncmp(key, EM_ATTRIBUTED_PREFIX, strlen(EM_ATTRIBUTED_PREFIX)) == 0;
}

const struct em_readings_key *em_readings_key_find(uint32_t quantity)
{
	for (const struct em_readings_key *k = em_readings_keys; k->list_key; k++)
		if (k->quantity == quantity)
			return k;
	return NULL;
}
