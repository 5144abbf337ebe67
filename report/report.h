/*
 * report.h — `energymon report DIR`: the seed's energy extractor as a
 * command. Reads a directory of per-call energy files, prints the summary
 * per source, and optionally exports CSV tables and a power-over-time plot.
 */
#ifndef ENERGYMON_REPORT_H
#define ENERGYMON_REPORT_H

#include <stdio.h>

/* argv[0] is "report". Prints to stdout and stderr; returns the process
 * exit status (0 success, 1 failure, 2 usage error). */
int report_main(int argc, char **argv);

/* The same with the output streams given, so tests can read what it says. */
int report_run(int argc, char **argv, FILE *out, FILE *err);

#endif
