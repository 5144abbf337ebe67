/* A deadline on every HTTP exchange (http_deadline.c says why). */
#ifndef AGENT_HTTP_DEADLINE_H
#define AGENT_HTTP_DEADLINE_H

#include <microhttpd.h>

struct http_deadlines;
/* Its watchdog thread; NULL when it cannot start. */
struct http_deadlines *http_deadlines_start(double limit_s);
/* After MHD_stop_daemon. NULL is a no-op. */
void http_deadlines_stop(struct http_deadlines *d);
/* MHD_OPTION_NOTIFY_CONNECTION with d as its closure. */
void http_deadlines_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe);
/* From MHD_OPTION_NOTIFY_COMPLETED: the next request's deadline starts now. */
void http_deadlines_answered(struct http_deadlines *d, struct MHD_Connection *c);

#endif
