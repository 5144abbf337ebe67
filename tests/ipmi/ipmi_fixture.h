/*
 * ipmi_fixture.h — what the ipmi plugin's tests share: a simulated BMC the
 * test owns, the plugin loaded in the recording harness and configured for
 * that BMC, a sampling loop on absolute deadlines, and the trapezoid rule.
 */
#ifndef IPMI_FIXTURE_H
#define IPMI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_harness.h"
#include "simbmc_client.h"

/* Exit code that makes meson report a test as skipped. */
#define IPMI_TEST_SKIP 77

/* Exit with 77 and the reason when no simulated BMC can run here. */
void ipmi_fixture_require_bmc(void);

/* Start a BMC with `opts` (NULL: defaults). CUnit-asserts success. */
int ipmi_fixture_start_bmc(struct simbmc *bmc, const struct simbmc_options *opts);

/* Load ipmi.so into `h` and set the keys that reach `bmc` as its admin user:
 * host, username, password file, opensesspriv, a private SDR cache under
 * the BMC's directory, the given sampling interval. Returns 0 or -errno. */
int ipmi_fixture_load(struct harness *h, const struct simbmc *bmc, double interval_s);

/* The same with another user and password file (the harness keeps the
 * first value set for a key, so these cannot be overridden afterwards). */
int ipmi_fixture_load_as(struct harness *h, const struct simbmc *bmc, double interval_s, const char *user,
			 const char *password_file);

/* Call sample() `n` times, one every `interval_s` on absolute monotonic
 * deadlines, starting now. Returns how many calls failed. */
size_t ipmi_fixture_sample_loop(struct harness *h, size_t n, double interval_s);

/* Sample every `interval_s` (as above) until the last reading of `sensor`
 * (quantity `q`, 0: any) is within `tol` of `want`, for at most
 * `max_samples` calls: a wait on the condition (e.g. ipmi_sim has polled a
 * sensor file it was just given), not a fixed sleep. Returns 0 when it was
 * seen, -1 otherwise; `failed` (may be NULL) gets how many calls failed. */
int ipmi_fixture_sample_until(struct harness *h, const char *sensor, unsigned q, double want, double tol,
			      size_t max_samples, double interval_s, size_t *failed);

/* Energy in J by the trapezoid rule over the power readings of `sensor`
 * (quantity POWER_W), on their wall-clock stamps; also the first and last
 * stamp (unix s) and the longest gap between readings (s). */
double ipmi_fixture_trapezoid_j(const struct harness *h, const char *sensor, double *first_unix,
				double *last_unix, double *max_gap_s);

double ipmi_fixture_now_unix(void);

#endif
