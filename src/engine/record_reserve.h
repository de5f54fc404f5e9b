/* Space kept beside each container's record (DIR/reserve), so that a full
 * state root does not lose an exit status.
 *
 * Every write of a "created" or "running" record makes the reserve anew:
 * RECORD_RESERVE_SIZE bytes allocated with fallocate(2), zero. When a
 * record write fails with ENOSPC or EDQUOT, the writer first puts the exit
 * status (if the record has one) into the reserve's first block, which
 * needs no new space, then frees the rest of the reserve (a hole punched)
 * and writes the record again. Should even that fail, the record on disk
 * still says "running" while PID 1 is gone, and readers take the exit
 * status from the reserve's first block (record_reserve_apply). */
#ifndef HUSK_ENGINE_RECORD_RESERVE_H
#define HUSK_ENGINE_RECORD_RESERVE_H

#include <jansson.h>
#include <stdbool.h>

#define RECORD_RESERVE_SIZE (64 * 1024)
/* State.Error of a record whose exit came from the reserve. */
#define RECORD_RESERVE_NOT_RECORDED                                                                \
    "the exit status could not be written to the container's record (no space left in the "        \
    "state root); it was kept in the space reserved for it"
/* State.Error of a record written into the reserve's space. */
#define RECORD_RESERVE_USED                                                                        \
    "the state root ran out of space: this record was written into the space reserved for it"

/* Makes DIRECTORY's reserve anew, when RECORD says created or running. */
void record_reserve_renew(const char *directory, json_t *record);
/* After a failed write of RECORD: keeps its exit status in the reserve's
 * first block and frees the rest. False when there was nothing to free. */
bool record_reserve_release(const char *directory, json_t *record);
/* A RECORD that says running or paused while the reserve holds an exit
 * status: the exit, as it was meant to be recorded. */
void record_reserve_apply(const char *directory, json_t *record);

#endif
