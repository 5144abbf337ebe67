"""Checks of raw Prometheus samples against a simulated BMC's known power:
each check prints one line, ok or FAIL, with the numbers and their units."""

ENERGY_TOLERANCE = 0.01  # issue 12: within 1% of the exact integral


def join_by_scrape(values, stamps):
    """Pairs each sample of a series with the agent's sample time served in
    the same scrape (same labels but the name, same scrape timestamp):
    {labels: [(scrape_t, value, sample_t), ...]}."""
    def key(labels):
        return frozenset((k, v) for k, v in labels if k != "__name__")
    stamp_by_series = {key(labels): dict(samples) for labels, samples in stamps.items()}
    joined = {}
    for labels, samples in values.items():
        at = stamp_by_series.get(key(labels), {})
        joined[key(labels)] = [(t, v, at[t]) for t, v in samples if t in at]
    return joined


class Checks:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def expect(self, condition, what):
        self.count += 1
        if not condition:
            self.failed += 1
        print("%s %s" % ("ok  " if condition else "FAIL", what), flush=True)
        return bool(condition)

    def energy(self, bmc, a, b):
        """a, b: (scrape_t, joules, sample_t) of two scrapes."""
        measured = b[1] - a[1]
        exact = bmc.profile.energy_j(a[2], b[2])
        error = abs(measured - exact) / exact if exact > 0 else float("inf")
        return self.expect(error <= ENERGY_TOLERANCE,
                           "%s: %.3f J counted between samples at %.3f s and %.3f s "
                           "(%.3f s apart), exact %.3f J, error %.3f%% (limit %.0f%%)"
                           % (bmc.name, measured, a[2], b[2], b[2] - a[2], exact, 100 * error,
                              100 * ENERGY_TOLERANCE))
