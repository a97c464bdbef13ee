/* An append-only checkpoint of fixed-size records, for commands that can
 * be resumed after a crash (attribute): a header line naming what the
 * records belong to, then whole records, each batch flushed to the disk
 * (fsync) before the command goes on.  A crash can leave a partial last
 * record; opening for a resume trims the file to its whole records.
 * Records are raw bytes: the file is read back by the same build on the
 * same machine, never exchanged. */
#ifndef COH_CLI_CHECKPOINT_H
#define COH_CLI_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "cohesim/error.h"

typedef struct cli_checkpoint cli_checkpoint;

/* Opens dir/name (dir must exist) for records of record_size bytes under
 * the header line `header` (no newline in it).  A file that is absent, or
 * holds no whole record, is started afresh.  A file with records: without
 * resume COH_EINPUT ("holds an unfinished ..."), with resume its header
 * must be `header` (else COH_EINPUT: it belongs to another run) and it is
 * trimmed to its whole records, which cli_checkpoint_count and
 * cli_checkpoint_read then give.  what names the command's output in the
 * messages ("attribution").  Returns 0, COH_EINPUT, COH_EIO or
 * COH_ENOMEM. */
int cli_checkpoint_open(cli_checkpoint **out, const char *dir,
			const char *name, const char *header,
			size_t record_size, int resume, const char *what,
			coh_error *err);

/* Whole records in the file when it was opened. */
uint64_t cli_checkpoint_count(const cli_checkpoint *cp);

/* Copies records first .. first + n - 1 of those found at opening into
 * buf (n * record_size bytes).  Returns 0 or COH_EIO. */
int cli_checkpoint_read(cli_checkpoint *cp, uint64_t first, uint64_t n,
			void *buf, coh_error *err);

/* Appends n records and waits until they are on the disk.  Returns 0 or
 * COH_EIO. */
int cli_checkpoint_append(cli_checkpoint *cp, const void *records, size_t n,
			  coh_error *err);

/* Closes the file; with remove non-zero also deletes it (the command
 * finished, or kept nothing).  Accepts NULL. */
void cli_checkpoint_close(cli_checkpoint *cp, int remove);

#endif
