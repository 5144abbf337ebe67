#include "event_names.h"

#include <errno.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>

/* "power/energy-pkg/", "power/energy-pkg" or "energy-pkg" -> "energy-pkg". */
static int kernel_event_name(const char *name, char *out, size_t len)
{
	const char *start = name;
	if (strncmp(name, "power/", 6) == 0)
		start = name + 6;
	size_t n = strlen(start);
	if (n > 0 && start[n - 1] == '/')
		n--;
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(out, start, n);
	out[n] = '\0';
	return start != name ? 1 : 0;
}

static int resolve_with_pfm(const char *name, enum rapl_domain *d, char *why, size_t why_len)
{
	/* pfm_initialize is idempotent; libpfm4 keeps its tables for the life
	 * of the process, shared with any other user of the library. */
	int ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		snprintf(why, why_len, "perf_events: cannot resolve '%s': libpfm4 did not "
			 "initialise: %s", name, pfm_strerror(ret));
		return -EINVAL;
	}
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(why, why_len, "perf_events: unknown event '%s': libpfm4: %s (write RAPL "
			 "events as power/energy-pkg/ or rapl::RAPL_ENERGY_PKG, amd64_rapl:: on AMD; "
			 "libpfm4 knows these only on a CPU with RAPL)", name, pfm_strerror(ret));
		return -EINVAL;
	}
	pfm_event_info_t einfo;
	pfm_pmu_info_t pinfo;
	memset(&einfo, 0, sizeof(einfo));
	memset(&pinfo, 0, sizeof(pinfo));
	einfo.size = sizeof(einfo);
	pinfo.size = sizeof(pinfo);
	if (pfm_get_event_info(arg.idx, PFM_OS_PERF_EVENT, &einfo) != PFM_SUCCESS ||
	    pfm_get_pmu_info(einfo.pmu, &pinfo) != PFM_SUCCESS) {
		snprintf(why, why_len, "perf_events: libpfm4 resolved '%s' but cannot describe it", name);
		return -EINVAL;
	}
	/* libpfm4 names the PMU "rapl" on Intel and "amd64_rapl" on AMD. */
	int rapl_pmu = strcmp(pinfo.name, "rapl") == 0 || strcmp(pinfo.name, "amd64_rapl") == 0;
	if (!rapl_pmu || rapl_domain_by_pfm_event(einfo.name, d) != 0) {
		snprintf(why, why_len, "perf_events: '%s' is not a RAPL energy event (libpfm4 resolves "
			 "it to %s::%s)", name, pinfo.name, einfo.name);
		return -EINVAL;
	}
	return 0;
}

int event_name_resolve(const char *name, enum rapl_domain *d, char *why, size_t why_len)
{
	char event[64];
	int kernel_form = kernel_event_name(name, event, sizeof(event));
	if (kernel_form >= 0 && rapl_domain_by_perf_event(event, d) == 0)
		return 0;
	if (kernel_form == 1) {
		snprintf(why, why_len, "perf_events: '%s' is not an event of the power PMU (known: %s)",
			 name, rapl_domain_perf_event_list());
		return -EINVAL;
	}
	return resolve_with_pfm(name, d, why, why_len);
}
