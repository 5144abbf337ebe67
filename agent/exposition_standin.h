/* STAND-IN until the integrator's agent/exposition.h lands; deleted then. */
#ifndef AGENT_EXPOSITION_STANDIN_H
#define AGENT_EXPOSITION_STANDIN_H
#include <stddef.h>
#include <stdint.h>
struct em_monitor;
enum expo_format { EXPO_TEXT_004, EXPO_OPENMETRICS };
enum expo_format expo_negotiate(const char *accept);
const char *expo_content_type(enum expo_format f);
struct expo_self {
	double cpu_s, rss_bytes, last_scrape_duration_s;
	uint64_t scrapes;
};
char *expo_render(struct em_monitor *mon, enum expo_format f, const struct expo_self *self, size_t *len);
#endif
