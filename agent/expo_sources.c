/* Families with one sample per source: health, sampling counts, errors. */
#include "expo_family.h"

#include <math.h>

enum { UP, LAST_OK, AGE, SAMPLES, ERRORS, MISSED, INTERVAL, CPU, NFAMILIES };

void expo_source_families(struct expo_page *p)
{
	struct expo_family fam[NFAMILIES] = {
		[UP] = FAMILY("energymon_up", "gauge", "1 when the source's latest sample succeeded, else 0."),
		[LAST_OK] = FAMILY("energymon_last_success_timestamp_seconds", "gauge",
		             "When the source's latest successful sample began, unix seconds."),
		[AGE] = FAMILY("energymon_sample_age_seconds", "gauge",
		         "Seconds from the source's latest successful sample to this scrape's snapshot."),
		[SAMPLES] = FAMILY("energymon_samples_total", "counter", "Samples the source took, failed ones included."),
		[ERRORS] = FAMILY("energymon_sample_errors_total", "counter", "Failed samples by kind of failure."),
		[MISSED] = FAMILY("energymon_missed_deadlines_total", "counter",
		            "Sampling deadlines that passed while the source was still busy with an earlier sample."),
		[INTERVAL] = FAMILY("energymon_sampling_interval_seconds", "gauge", "The source's sampling interval, seconds."),
		[CPU] = FAMILY("energymon_sampling_cpu_seconds_total", "counter", "CPU time the source's sampling used, seconds."),
	};
	double taken = em_live_taken(p->live);
	for (int f = 0; f < NFAMILIES; f++) {
		struct em_live_source src = {.struct_size = sizeof(src)};
		for (size_t i = 0; em_live_source(p->live, i, &src) == 0; i++) {
			if (f == ERRORS) {
				for (int k = 0; k < EM_SAMPLE_ERROR_KINDS; k++) {
					expo_sample(p, &fam[f]);
					expo_source_labels(p, &src);
					expo_label(p, "kind", em_sample_error_kind_name(k));
					expo_value(p, (double)src.errors[k]);
				}
				continue;
			}
			double v = f == UP        ? (src.available && src.up ? 1 : 0)
			           : f == LAST_OK ? src.last_ok_s
			           : f == AGE     ? taken - src.last_ok_s
			           : f == SAMPLES ? (double)src.samples
			           : f == MISSED  ? (double)src.missed_deadlines
			           : f == INTERVAL ? src.interval_s
			                           : src.thread_cpu_s;
			if (!isfinite(v))
				continue;
			expo_sample(p, &fam[f]);
			expo_source_labels(p, &src);
			expo_value(p, v);
		}
	}
}
