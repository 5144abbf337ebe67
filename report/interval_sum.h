/*
 * interval_sum.h — the 95 % interval of a sum of per-call figures, each
 * known only to lie in its own interval (centre c_i, half-width h_i).
 *
 * The sum's centre is sum c_i. Its half-width is
 *   independent: min(1.96 x sqrt(sum h_i^2 / 3), sum h_i)
 *     (the calls' errors independent, each at worst uniform within its
 *     interval, whose variance is h^2 / 3; never wider than the worst case)
 *   worst case:  sum h_i
 *     (errors that may all lean the same way, e.g. calls sharing one idle
 *     baseline).
 * One figure without an interval makes the sum's interval unknown: leaving
 * it out would give a narrower interval than the data allow.
 */
#ifndef REPORT_INTERVAL_SUM_H
#define REPORT_INTERVAL_SUM_H

#include <stddef.h>

#include "energy_bound.h"

struct interval_sum {
	size_t with, without; /* figures added with and without an interval */
	double centre, half_widths, squares;
};

void interval_sum_add(struct interval_sum *sum, struct energy_interval interval);

/* Absent when a figure had no interval or none was added. */
struct energy_interval interval_sum_independent(const struct interval_sum *sum);
struct energy_interval interval_sum_worst_case(const struct interval_sum *sum);

#endif
