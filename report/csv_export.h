/*
 * csv_export.h — the seed's extractor tables as CSV (RFC 4180 quoting).
 *
 * Column names follow the seed's DataFrames so existing notebooks keep
 * working; units: energy J, power W, time s (timestamps are unix seconds),
 * temperatures degC. Absent values are empty cells, never 0.
 */
#ifndef REPORT_CSV_EXPORT_H
#define REPORT_CSV_EXPORT_H

#include <stdio.h>

#include "trace_set.h"

/* One row per trace: job_key, call_id, function_name, source, placeholder,
 * timestamp, duration, system_energy (ipmi), pkg_energy (perf, ebpf),
 * avg_power, min_power, max_power, power_std_dev, avg_cpu_temp,
 * avg_system_temp, cpu_time, then the 95 % bounds and the idle baseline
 * (energy_bound.h; empty when the file carries none): system_energy_low,
 * system_energy_high, pkg_energy_low, pkg_energy_high (J, around the
 * energy column of the same name), system_dynamic_energy(_low, _high),
 * pkg_dynamic_energy(_low, _high) (J, energy less idle power x time),
 * idle_power (W, of the headline energy). */
int csv_export_metrics(const struct trace_set *set, FILE *out);

/* One row per power reading: job_key, call_id, function_name, source,
 * timestamp, power. */
int csv_export_power(const struct trace_set *set, FILE *out);

/* One row per sensor reading (temperature, voltage, current and fan
 * readings): job_key, call_id, function_name, source, kind, sensor,
 * timestamp, value, unit. */
int csv_export_sensors(const struct trace_set *set, FILE *out);

/* One row per declared metric of each call (declared_metric.h):
 * job_key, call_id, function_name, source, key, kind (counter, gauge,
 * seconds), scope, index, value (in unit: a counter's total, a gauge's
 * time-weighted mean; empty when absent), unit, energy_j (a gauge in watts:
 * its integral, J), reason (why the value is absent). */
int csv_export_declared(const struct trace_set *set, FILE *out);

/* Opens `path`, runs `export` into it and closes it; reports failure on
 * `errors` naming the path. Returns 0 or a negative errno. */
int csv_export_to_file(const char *path, int (*export)(const struct trace_set *, FILE *),
                       const struct trace_set *set, FILE *errors);

#endif
