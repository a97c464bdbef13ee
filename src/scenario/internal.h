/* Private interface of the scenario loader: the scenario handle, the
 * per-load context that gathers errors (sorted into file order at the end),
 * and the helpers its files share.  Nothing here leaves src/scenario/. */
#ifndef COH_SCENARIO_INTERNAL_H
#define COH_SCENARIO_INTERNAL_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "cohesim/scenario.h"

/* Includes may nest this deep below the scenario file. */
#define SCN_MAX_INCLUDE_DEPTH 8
/* Settings nest at most this deep in a valid scenario; deeper ones sort as
 * if they were at this depth, which only blurs the order of their errors. */
#define SCN_KEY_MAX 8
/* Room for a setting's path in messages ("events.[12].participants.[3]"). */
#define SCN_PATH_MAX 256

typedef struct scn_block scn_block;

/* A file that @include brought in: the name libconfig gives it (the path as
 * written in the @include line) and the name errors use (relative to the
 * current folder, like the scenario path itself). */
typedef struct scn_file {
	const char *raw;
	const char *display;
} scn_file;

struct coh_scenario {
	config_t cfg;
	int cfg_live;           /* config_init was called */
	char *path;             /* as given (or the name of a string) */
	scn_block *arena;       /* every array and string the model points to */
	scn_file *files;        /* included files, in the order they were checked */
	size_t n_files;
	coh_model model;
};

/* A scenario read once (coh_scenario_source_read): its includes checked
 * and its text parsed, before any override or validation.  The parsed
 * scenario holds the tree, the included files and the name; its model is
 * never built.  Each load copies the tree (copy.c), so the source is only
 * read, never changed, and outlives nothing it hands out. */
struct coh_scenario_source {
	coh_scenario parsed;
};

/* An override that was applied: the setting it set or created (or the group
 * it created on the way) and its label "--set PATH=VALUE". */
typedef struct scn_override {
	const config_setting_t *setting;
	const char *label;
} scn_override;

/* One error with its place in the tree (the indices from the root down to
 * the setting it is about), so that errors found in any order can be
 * reported in file order. */
typedef struct scn_msg {
	coh_error err;
	int key[SCN_KEY_MAX];
	int depth;              /* -1: before the tree (includes, parsing, --set) */
	size_t seq;
} scn_msg;

typedef struct scn_ctx {
	coh_scenario *sc;
	const char *main_name;  /* how errors name the scenario file */
	const char *file_path;  /* the scenario file, NULL for a string */
	const char *folder;     /* where includes resolve ("" = current folder) */
	const char *root;       /* folder includes may not leave, as given */
	scn_override *ovr;
	size_t n_ovr, cap_ovr;
	scn_msg *msgs;
	size_t n_msgs, cap_msgs;
	struct scn_id *ids;     /* hash table of actor ids (see scn_ids_add) */
	size_t ids_mask;
	int nomem;              /* an allocation failed: the load ends with COH_ENOMEM */
	int have_dates;         /* start_day and end_day are valid */
	int64_t start_day, end_day;
} scn_ctx;

/* Limits that keep absurd files from running for ever: samples and
 * consultation rounds over the horizon, and generator events a year. */
#define SCN_MAX_STEPS COH_MAX_STEPS
#define SCN_MAX_RATE COH_MAX_RATE

/*--- Syntax errors (syntax.c) ---*/

/* libconfig's "syntax error" at line `line` of a file, worded as what is
 * probably wrong there, with the line shown: text is the file's text, or
 * NULL to read it from path.  Always fills out. */
void scn_syntax_message(char *out, size_t cap, const char *text,
			const char *path, int line);

/*--- Memory (util.c) ---*/

/* Zeroed memory owned by the scenario; NULL (and ctx->nomem set) on failure. */
void *scn_alloc(scn_ctx *ctx, size_t count, size_t size);
char *scn_strdup(scn_ctx *ctx, const char *text);
void scn_arena_free(scn_block *arena);

/*--- Actor ids (util.c) ---*/

/* References to members and outsiders are resolved through a hash table,
 * so that a file of n actors and m references loads in O(n + m).  The
 * table is made for n actors; ids are added as they are read.  Members
 * are actors 0..n_members-1, outsiders follow. */
typedef struct scn_id {
	const char *id;         /* NULL: empty slot */
	int actor;
} scn_id;

void scn_ids_alloc(scn_ctx *ctx, size_t n_actors);
void scn_ids_add(scn_ctx *ctx, const char *id, int actor);
/* The actor with this id, or -1. */
int scn_ids_find(const scn_ctx *ctx, const char *id);

/* Pairs of indices (a tie's from and to, an affinity's member and
 * outsider), so that a list of n pairs finds its duplicates in O(n). */
typedef struct scn_pairs {
	uint64_t *keys;         /* 0: empty slot */
	int *first;             /* where each pair was first given */
	size_t mask;
} scn_pairs;

void scn_pairs_alloc(scn_ctx *ctx, scn_pairs *pairs, size_t n);
/* Where (a, b) was given before, or -1 after noting it at `index`. */
int scn_pairs_add(scn_pairs *pairs, int a, int b, int index);

/* The length of a list of groups (0 if there is none); an entry that is
 * not a group is reported as "must be a group SHAPE", and callers skip
 * it. */
size_t scn_group_list(scn_ctx *ctx, const config_setting_t *list,
		      const char *shape);

/*--- Lookups (util.c) ---*/

/* The setting named key in a group, or NULL (also for a non-group).  The
 * same as config_setting_get_member for the plain names the format uses,
 * which libconfig compares a character at a time against its path
 * separators: a sweep's check looks up every key of every point. */
const config_setting_t *scn_member(const config_setting_t *group,
				   const char *key);

/*--- Errors (util.c) ---*/

/* An error about a setting: located at the setting's file and line, or at
 * the override that set or created it.  A NULL setting means the scenario
 * as a whole. */
void scn_error(scn_ctx *ctx, const config_setting_t *setting, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

/* An error that comes before the tree exists (includes, parsing, --set). */
void scn_error_at(scn_ctx *ctx, const char *file, int line, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/* The override that set or created a setting or one of its parents, or NULL. */
const scn_override *scn_override_of(const scn_ctx *ctx,
				    const config_setting_t *setting);

/* Records that an override set or created a setting; forgets a setting
 * that is about to be removed (label NULL). */
void scn_override_note(scn_ctx *ctx, const config_setting_t *setting,
		       const char *label);

/* How errors name a file that libconfig names `file` (a setting's
 * source file, or the file of a parse error; NULL: the scenario). */
const char *scn_display_name(const scn_ctx *ctx, const char *file);

/* Stores every setting's position in the tree once (see util.c); call
 * after the tree's last change (overrides), before reading it. */
void scn_index_tree(config_t *cfg);

/* The setting's path as messages write it ("members.[1].freeze"; "" for
 * the root). */
void scn_path(const config_setting_t *setting, char *buf, size_t size);

/*--- Small helpers (util.c) ---*/

/* Keeps the candidate closest to a misspelt word, for "did you mean". */
typedef struct scn_suggest {
	const char *word;
	const char *best;
	size_t best_distance;
} scn_suggest;

void scn_suggest_init(scn_suggest *s, const char *word);
void scn_suggest_try(scn_suggest *s, const char *candidate);

/* Writes a double in the shortest form that reads back to the same value;
 * with `as_float` it always has a '.' or an exponent, so that libconfig
 * reads it as a float.  buf needs 32 bytes. */
void scn_format_double(char *buf, size_t size, double value, int as_float);

/* "a group", "an integer", ... for "must be a number, got a string". */
const char *scn_type_phrase(int type);

/*--- Typed reading of settings, with the errors the format promises
 * (read.c).  The readers return SCN_OK with *out set, SCN_ABSENT when an
 * optional key is not there (*out untouched) or SCN_BAD after reporting
 * the problem; a missing required key is reported at its group. ---*/

enum { SCN_BAD = -1, SCN_ABSENT = 0, SCN_OK = 1 };

/* The ranges are the catalogue's (cohesim/model.h), shared with the
 * event kinds and coh_model_check; the short names read well in the
 * loader's many calls. */
typedef coh_range scn_range;
#define SCN_ANY COH_RANGE_ANY
#define SCN_NONNEG COH_RANGE_NONNEG
#define SCN_POS COH_RANGE_POS
#define SCN_UNIT COH_RANGE_UNIT
#define SCN_SIGNED_UNIT COH_RANGE_SIGNED_UNIT
#define SCN_TONE COH_RANGE_TONE
#define SCN_HALF_LIFE COH_RANGE_HALF_LIFE

/* The number a setting holds (an integer is accepted as a float). */
int scn_number(scn_ctx *ctx, const config_setting_t *s, scn_range range,
	       double *out);
int scn_get_number(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, scn_range range, int required,
		   double *out);
/* An integer >= min; a float is refused with a hint. */
int scn_get_integer(scn_ctx *ctx, const config_setting_t *group,
		    const char *key, long long min, int required,
		    long long *out);
/* `expect` says what the string should be, for the "missing" message. */
int scn_get_string(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, const char *expect, int required,
		   const char **out);
int scn_get_bool(scn_ctx *ctx, const config_setting_t *group,
		 const char *key, int *out);
/* A "YYYY-MM-DD" date, as a day number. */
int scn_get_date(scn_ctx *ctx, const config_setting_t *group,
		 const char *key, int required, int64_t *out);
/* A member id (index into ctx->sc->model.members); with allow_all, "*"
 * gives -1.  scn_member_of reads a string setting (a list element). */
int scn_get_member(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, int required, int allow_all, int *out);
int scn_member_of(scn_ctx *ctx, const config_setting_t *s, int *out);
/* A date inside [start, end] of the scenario, as days since the start
 * (events.c). */
int scn_read_day(scn_ctx *ctx, const config_setting_t *g, const char *key,
		 int required, double *out);
int scn_get_outsider(scn_ctx *ctx, const config_setting_t *group,
		     const char *key, int required, int *out);
/* A group (or list, for scn_get_list) under `key`, or NULL if it is
 * absent or the wrong kind (reported). */
const config_setting_t *scn_get_group(scn_ctx *ctx,
				      const config_setting_t *parent,
				      const char *key, int required);
const config_setting_t *scn_get_list(scn_ctx *ctx,
				     const config_setting_t *parent,
				     const char *key, int required);
/* Reports every key of a group that is not in `keys` (NULL-terminated);
 * `what` names the group in messages (NULL: its path). */
void scn_check_keys(scn_ctx *ctx, const config_setting_t *group,
		    const char *const *keys, const char *what);
/* Whether every key of a group is in `keys`: callers whose `what` costs
 * something to build ask first. */
int scn_keys_known(const config_setting_t *group, const char *const *keys);

/*--- The stages of a load ---*/

/* include.c: checks the @include lines of the scenario text and of every
 * file they name (recursively), and that no integer literal is too large
 * for libconfig 1.5, which would silently wrap it.  Records the included
 * files in ctx->sc->files.  Returns 0, COH_EINPUT or COH_ENOMEM. */
int scn_check_includes(scn_ctx *ctx, const char *text);

/* Reads a whole file into a NUL-terminated buffer (free with coh_free).
 * Returns 0, COH_ENOMEM, or COH_EIO with *err_no set to the errno. */
int scn_read_text(const char *path, char **out, int *err_no);

/* copy.c: copies from's tree into to's fresh config, each setting with
 * its line and its file (mapped to to->files, which must already hold
 * from's included files in the same order).  Returns 0 or COH_ENOMEM. */
int scn_copy_tree(coh_scenario *to, const coh_scenario *from);

/* override.c: applies opts->overrides to the parsed tree. */
int scn_apply_overrides(scn_ctx *ctx, const coh_load_options *opts);

/* convert.c: validates the tree and builds ctx->sc->model. */
void scn_convert(scn_ctx *ctx);

/* The range of a member parameter (what `set` may assign to it). */
scn_range scn_field_range(coh_member_field field);

/* events.c: the timeline (validated and sorted by day) and the
 * generators; members and outsiders must be known. */
void scn_convert_events(scn_ctx *ctx, const config_setting_t *list);
/* model.event_types (NULL: none), before model.weights and the events;
 * scn_user_kind finds one of them by name (-1: none). */
void scn_convert_event_types(scn_ctx *ctx, const config_setting_t *list);
int scn_user_kind(const scn_ctx *ctx, const char *name);
void scn_convert_generators(scn_ctx *ctx, const config_setting_t *list);
/* The calibration block (calibration.c). */
void scn_convert_calibration(scn_ctx *ctx, const config_setting_t *root);

#endif
