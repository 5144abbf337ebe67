/* The bookkeeping of one returned sample() that live snapshots read: when
 * it began, whether it succeeded, and why it failed by kind. One function,
 * so that every sampling path (a source's own thread, a shared pool) books
 * samples alike. */
#include "internal.h"

void em_source_note_sample(struct em_source *src, int rc, int64_t wall_ns)
{
	src->last_try_wall = wall_ns;
	src->last_ok = rc >= 0;
	if (rc >= 0) {
		src->last_ok_wall = wall_ns;
		return;
	}
	int kind = em_sample_error_kind_of(rc);
	if (kind >= 0 && kind < EM_SAMPLE_ERROR_KINDS) /* always: the guard keeps the index provably in range */
		src->sample_errors[kind]++;
}
