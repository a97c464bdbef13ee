/* Private pieces of the importer (src/import/): CAMEO codes and the
 * mapping rules, the line reader and field splitter, the actor index.
 * Names start with imp_. */
#ifndef COH_IMPORT_INTERNAL_H
#define COH_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cohesim/error.h"
#include "cohesim/model.h"
#include "output/sha256.h"

/*--- CAMEO codes (cameo.c, goldstein.c) ----------------------------------*/

/* The longest CAMEO event code has 4 digits. */
#define IMP_CODE_MAX 8

/* The CAMEO code in text with its leading zeros put back, into out:
 * ICEWS stores codes as integers ("42" for 042, "211" for 0211).  Two
 * digits get one zero; three digits whose first two exceed 20 (no CAMEO
 * root is above 20) get one zero; four digits are kept.  Returns 0, or
 * -1 when text is not 1 to 4 digits (surrounding blanks allowed). */
int imp_cameo_normalize(char out[IMP_CODE_MAX], const char *text);

/* The Goldstein score of a code (as normalised), 0 and *out set, or -1
 * when the table has no such code. */
int imp_goldstein(const char *code, double *out);

/* Which of the scenario's parties a row's two actors are. */
typedef enum imp_parties {
	IMP_MEMBER_MEMBER = 0,
	IMP_MEMBER_OUTSIDER,
	IMP_OUTSIDER_MEMBER,
	IMP_PARTIES__COUNT
} imp_parties;

const char *imp_parties_name(imp_parties p);

/* One mapping rule: rows whose code starts with `code` and whose actors
 * are `parties` become events of `type` (the longest matching code
 * wins). */
typedef struct imp_rule {
	char code[IMP_CODE_MAX];
	imp_parties parties;
	coh_event_type type;
	const char *why;        /* static text, or owned by the mapping */
} imp_rule;

typedef struct imp_mapping {
	const imp_rule *rules;  /* the default's, or `owned` */
	imp_rule *owned;        /* a mapping file's rules */
	size_t n;
	char *text;             /* a mapping file's reasons live here */
	int is_default;
	char sha256[65];        /* of the mapping file; "" for the default */
} imp_mapping;

/* The built-in rules (static) and their count. */
const imp_rule *imp_default_rules(size_t *n);

/* Whether the importer can build an event of type from rows with these
 * parties (the roles each side takes are fixed per type, docs/import.md). */
int imp_type_accepts(coh_event_type type, imp_parties parties);

/* Fills m with the default rules (no allocation) or reads a mapping file.
 * Errors: COH_EINPUT "file:line: ...", COH_EIO, COH_ENOMEM. */
int imp_mapping_load(imp_mapping *m, const char *path, coh_error *err);
void imp_mapping_free(imp_mapping *m);

/* The rule for code and parties (longest code prefix), or NULL. */
const imp_rule *imp_mapping_find(const imp_mapping *m, const char *code,
				 imp_parties parties);
/* Whether any rule's code is a prefix of code, whatever its parties. */
int imp_mapping_knows(const imp_mapping *m, const char *code);

/*--- Lines and fields (reader.c) -----------------------------------------*/

/* Lines are read in blocks into a fixed buffer; a line longer than
 * IMP_LINE_MAX is reported and skipped whole, so memory never depends on
 * the input. */
#define IMP_LINE_MAX 65536
#define IMP_FIELDS_MAX 128

typedef struct imp_reader {
	FILE *fp;
	char *buf;              /* IMP_LINE_MAX + 1 bytes, owned */
	size_t start, end;      /* unread bytes are buf[start, end) */
	int eof;
	long line;              /* number of the line last returned */
	coh_sha256 sha;         /* of every byte read */
	uint64_t bytes;
} imp_reader;

int imp_reader_init(imp_reader *r, FILE *fp);
void imp_reader_free(imp_reader *r);

/* The next line, NUL-terminated, without its "\n" or "\r\n", in *line
 * (valid until the next call, and writable).  Returns 1 for a line, 0 at
 * the end, -1 for a line that was too long (skipped; r->line is its
 * number), COH_EIO on a read error. */
int imp_reader_next(imp_reader *r, char **line);

/* Splits line in place at sep.  quotes: a field that starts with '"' runs
 * to the matching '"' ("" inside is one quote) and may hold sep.  Returns
 * the number of fields (at most max; the last one holds the rest), or -1
 * for an unterminated quote or text after a closing quote. */
int imp_split(char *line, char sep, int quotes, char **fields, int max);

/*--- Actors (actors.c) ---------------------------------------------------*/

/* An index of names to parties: members are 0..n_members-1, outsiders
 * follow.  Names are compared without case and with runs of blanks as one
 * space. */
typedef struct imp_actors {
	char **keys;            /* open addressing; NULL = empty slot */
	int *party;
	size_t cap;
	size_t n;
} imp_actors;

/* Indexes every member's and outsider's id, name and aliases, then the
 * aliases of the actors file (path may be NULL): lines "ID alias words", '#'
 * comments.  Errors: COH_EINPUT "file:line: ...", COH_EIO, COH_ENOMEM. */
int imp_actors_build(imp_actors *a, const coh_model *model,
		     const char *path, char sha256[65], coh_error *err);
void imp_actors_free(imp_actors *a);
/* The party that name stands for, or -1. */
int imp_actors_find(const imp_actors *a, const char *name);

/* A 64-bit FNV-1a hash of n bytes. */
uint64_t imp_hash(const void *data, size_t n, uint64_t seed);

#endif
