/* Event data in: rows of machine-coded event data (ICEWS, GDELT 2.0, or a
 * CSV with a date, two actors and a CAMEO code) turned into a timeline
 * fragment for a scenario.  Each row is matched to the scenario's members
 * and outsiders, mapped from its CAMEO code to an event type, and
 * aggregated per window of days, pair and type into one event.  The input
 * is read as a stream: memory is bounded by the number of distinct
 * (window, pair, type) keys, never by the length of the file
 * (docs/import.md). */
#ifndef COHESIM_IMPORT_H
#define COHESIM_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "model.h"

typedef enum coh_import_format {
	COH_IMPORT_ICEWS = 0,   /* tab-separated, header line */
	COH_IMPORT_GDELT,       /* GDELT 2.0 event export: 61 tab-separated
				 * columns, no header line */
	COH_IMPORT_CSV          /* comma-separated (or --separator), header
				 * line, columns named by options */
} coh_import_format;

/* "icews", "gdelt", "csv"; the lookup returns -1 for another name. */
const char *coh_import_format_name(coh_import_format format);
int coh_import_format_lookup(const char *name);

/* What an import is asked to do.  Strings are borrowed for the life of
 * the importer. */
typedef struct coh_import_options {
	coh_import_format format;
	const char *input_name;         /* the file's name, for messages and
					 * the fragment's header */
	const char *mapping_path;       /* NULL: the default mapping */
	const char *actors_path;        /* aliases file, or NULL */
	const char *against;            /* outsider id the imported
					 * assistance requests are against;
					 * NULL: such rows are skipped */
	int window;                     /* days per window, >= 1 */
	double cap;                     /* largest count scale, >= 1 */
	int strict;                     /* stop at the first malformed row */
	/* csv: the header names of the columns (NULL: "date", "source",
	 * "target", "code"; "goldstein" and "id" are used if present) */
	const char *col_date, *col_source, *col_target, *col_code;
	const char *col_goldstein, *col_id;
	char separator;                 /* csv only; 0: ',' */
	/* Called for each malformed row that is skipped (not under strict,
	 * where the row's error ends the import); may be NULL. */
	void (*warn)(void *ctx, const coh_error *err);
	void *warn_ctx;
} coh_import_options;

/* Fills opts with the defaults: icews, window 1, cap 2, no files. */
void coh_import_options_init(coh_import_options *opts);

/* What happened to the rows, each skipped row counted once under the first
 * reason that applies, in this order. */
typedef struct coh_import_counts {
	uint64_t rows;          /* data rows read (no header, no blank line) */
	uint64_t malformed;     /* too few fields, bad date, code or score */
	uint64_t outside;       /* dated outside the scenario's horizon */
	uint64_t unmapped;      /* CAMEO code in no rule of the mapping */
	uint64_t unmatched;     /* an actor matches no member or outsider */
	uint64_t parties;       /* matched, but no rule for these parties
				 * (two outsiders, one party twice, ...) */
	uint64_t no_against;    /* an assistance request without --against */
	uint64_t duplicates;    /* a row id already kept */
	uint64_t kept;          /* rows aggregated into events */
	uint64_t no_request;    /* kept rows of responses dropped at the end:
				 * no request open on their date */
	uint64_t events;        /* events in the fragment */
	uint64_t dedup_full;    /* rows kept after duplicate detection ran
				 * out of room (not checked) */
} coh_import_counts;

typedef struct coh_import coh_import;

/* Prepares an import into the scenario described by model (which must
 * outlive the importer): reads the mapping and actor files, builds the
 * actor index.  On success *out owns the importer (coh_import_free).
 * Errors: COH_EINPUT with file:line for a bad mapping or actors file or an
 * unknown --against, COH_EIO, COH_ENOMEM. */
int coh_import_open(coh_import **out, const coh_model *model,
		    const coh_import_options *opts, coh_error *err);

/* Reads every row of in (the whole stream, in blocks; never more than one
 * line of it in memory).  Returns 0; COH_EINPUT for a bad header (or, under
 * strict, the first malformed row), with file:line in err; COH_EIO;
 * COH_ENOMEM.  Call once. */
int coh_import_read(coh_import *im, FILE *in, coh_error *err);

/* Writes the fragment: a header of comments (command, source file and its
 * SHA-256, mapping, counts), then the events in date order, as a run of
 * list elements to include inside `events = ( ... );`.  command is the
 * line recorded in the header (may be NULL).  Returns 0 or COH_EIO. */
int coh_import_write(coh_import *im, FILE *out, const char *command,
		     coh_error *err);

/* The counts so far (final after coh_import_write). */
const coh_import_counts *coh_import_get_counts(const coh_import *im);

/* A readable summary of the counts, with the unmatched actors and the
 * unmapped codes most often seen, for stderr. */
void coh_import_summary(const coh_import *im, FILE *fp);

/* SHA-256 of the bytes read, in hexadecimal (valid after the read). */
const char *coh_import_sha256(const coh_import *im);

/* Frees everything; accepts NULL. */
void coh_import_free(coh_import *im);

/* Writes the default mapping in the format of a mapping file: one rule a
 * line, "CODE PARTIES TYPE REASON" (docs/import.md). */
void coh_import_print_default_mapping(FILE *fp);

/*--- Duplicates in a timeline --------------------------------------------*/

/* Calls fn for each pair of timeline events written in different files
 * that share the date, the type and every party (actor, target, outsider,
 * list): the sign of a fragment that repeats the timeline around it.  a
 * comes first in the sorted timeline.  Returns the number of pairs. */
size_t coh_import_duplicates(const coh_model *model,
			     void (*fn)(void *ctx, const coh_model *model,
					const coh_event *a, const coh_event *b),
			     void *ctx);

#endif
