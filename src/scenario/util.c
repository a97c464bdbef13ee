/* Helpers shared by the scenario loader: the arena that owns the model's
 * memory, error records placed in file order, setting paths, "did you
 * mean" hints and exact float formatting. */
#include "internal.h"
#include "core/alloc.h"
#include "core/number.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*--- Arena ---*/

struct scn_block {
	scn_block *next;
	max_align_t data[];
};

void *scn_alloc(scn_ctx *ctx, size_t count, size_t size)
{
	if (size && count > (SIZE_MAX - sizeof(scn_block)) / size) {
		ctx->nomem = 1;
		return NULL;
	}
	scn_block *b = coh_calloc(1, sizeof *b + count * size);
	if (!b) {
		ctx->nomem = 1;
		return NULL;
	}
	b->next = ctx->sc->arena;
	ctx->sc->arena = b;
	return b->data;
}

char *scn_strdup(scn_ctx *ctx, const char *text)
{
	size_t n = strlen(text) + 1;
	char *p = scn_alloc(ctx, n, 1);
	if (p)
		memcpy(p, text, n);
	return p;
}

void scn_arena_free(scn_block *arena)
{
	while (arena) {
		scn_block *next = arena->next;
		coh_free(arena);
		arena = next;
	}
}

/*--- Where a setting came from ---*/

const scn_override *scn_override_of(const scn_ctx *ctx,
				    const config_setting_t *setting)
{
	for (const config_setting_t *s = setting; s; s = s->parent)
		for (size_t i = ctx->n_ovr; i-- > 0;)
			if (ctx->ovr[i].setting == s)
				return &ctx->ovr[i];
	return NULL;
}

void scn_override_note(scn_ctx *ctx, const config_setting_t *setting,
		       const char *label)
{
	if (!label) {
		/* The setting is about to be freed: a later setting may reuse
		 * its address, and must not inherit its override. */
		for (size_t i = 0; i < ctx->n_ovr; i++)
			if (ctx->ovr[i].setting == setting)
				ctx->ovr[i].setting = NULL;
		return;
	}
	if (ctx->n_ovr == ctx->cap_ovr) {
		size_t cap = ctx->cap_ovr ? 2 * ctx->cap_ovr : 8;
		scn_override *p = coh_reallocarray(ctx->ovr, cap, sizeof *p);
		if (!p) {
			ctx->nomem = 1;
			return;
		}
		ctx->ovr = p;
		ctx->cap_ovr = cap;
	}
	ctx->ovr[ctx->n_ovr].setting = setting;
	ctx->ovr[ctx->n_ovr].label = label;
	ctx->n_ovr++;
}

const char *scn_display_name(const scn_ctx *ctx, const char *file)
{
	/* The scenario is parsed from its text, which libconfig names NULL;
	 * it names an included file by the path in the @include line. */
	if (!file)
		return ctx->main_name;
	for (size_t i = 0; i < ctx->sc->n_files; i++)
		if (strcmp(ctx->sc->files[i].raw, file) == 0)
			return ctx->sc->files[i].display;
	return file;
}

/*--- Actor ids ---*/

static size_t table_size(size_t n)
{
	size_t size = 16;
	while (size < 2 * n)            /* at most half full */
		size *= 2;
	return size;
}

static size_t id_hash(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (size_t)h;
}

void scn_ids_alloc(scn_ctx *ctx, size_t n_actors)
{
	size_t size = table_size(n_actors);
	ctx->ids = scn_alloc(ctx, size, sizeof *ctx->ids);
	ctx->ids_mask = ctx->ids ? size - 1 : 0;
}

void scn_ids_add(scn_ctx *ctx, const char *id, int actor)
{
	if (!ctx->ids)
		return;
	size_t i = id_hash(id) & ctx->ids_mask;
	while (ctx->ids[i].id)
		i = (i + 1) & ctx->ids_mask;
	ctx->ids[i].id = id;
	ctx->ids[i].actor = actor;
}

int scn_ids_find(const scn_ctx *ctx, const char *id)
{
	if (!ctx->ids)
		return -1;
	for (size_t i = id_hash(id) & ctx->ids_mask; ctx->ids[i].id;
	     i = (i + 1) & ctx->ids_mask)
		if (strcmp(ctx->ids[i].id, id) == 0)
			return ctx->ids[i].actor;
	return -1;
}

void scn_pairs_alloc(scn_ctx *ctx, scn_pairs *pairs, size_t n)
{
	size_t size = table_size(n);
	pairs->keys = scn_alloc(ctx, size, sizeof *pairs->keys);
	pairs->first = scn_alloc(ctx, size, sizeof *pairs->first);
	pairs->mask = pairs->keys && pairs->first ? size - 1 : 0;
}

int scn_pairs_add(scn_pairs *pairs, int a, int b, int index)
{
	if (!pairs->mask)
		return -1;      /* out of memory: the load fails anyway */
	uint64_t key = (uint64_t)(uint32_t)(a + 1) << 32 | (uint32_t)(b + 1);
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & pairs->mask;
	for (; pairs->keys[i]; i = (i + 1) & pairs->mask)
		if (pairs->keys[i] == key)
			return pairs->first[i];
	pairs->keys[i] = key;
	pairs->first[i] = index;
	return -1;
}

size_t scn_group_list(scn_ctx *ctx, const config_setting_t *list,
		      const char *shape)
{
	int n = list ? config_setting_length(list) : 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(s)) {
			char where[SCN_PATH_MAX];
			scn_path(s, where, sizeof where);
			scn_error(ctx, s, "%s must be a group %s, got %s", where,
				  shape, scn_type_phrase(config_setting_type(s)));
		}
	}
	return (size_t)n;
}

/* libconfig finds a setting's position by a linear search of its parent,
 * and messages, the file order of errors and paths ask for it often: a
 * file of n members took O(n^2).  So positions are stored once in the
 * settings' hooks (position + 1; 0: not stored, ask libconfig). */
#define INDEX_DEPTH 64

static void index_below(config_setting_t *s, int depth)
{
	if (depth >= INDEX_DEPTH || !config_setting_is_aggregate(s))
		return;
	int n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		config_setting_set_hook(e, (void *)(uintptr_t)(i + 1));
		index_below(e, depth + 1);
	}
}

void scn_index_tree(config_t *cfg)
{
	index_below(config_root_setting(cfg), 0);
}

static int index_of(const config_setting_t *s)
{
	uintptr_t stored = (uintptr_t)config_setting_get_hook(s);
	return stored ? (int)(stored - 1) : config_setting_index(s);
}

void scn_path(const config_setting_t *setting, char *buf, size_t size)
{
	const config_setting_t *chain[64] = {NULL};
	size_t n = 0;
	for (const config_setting_t *s = setting; s && s->parent && n < 64;
	     s = s->parent)
		chain[n++] = s;
	size_t used = 0;
	buf[0] = '\0';
	while (n-- > 0 && used < size) {
		const config_setting_t *s = chain[n];
		const char *dot = used ? "." : "";
		int w;
		if (s->name)
			w = snprintf(buf + used, size - used, "%s%s", dot,
				     s->name);
		else
			w = snprintf(buf + used, size - used, "%s[%d]", dot,
				     index_of(s));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/*--- Lookups ---*/

const config_setting_t *scn_member(const config_setting_t *group,
				   const char *key)
{
	if (!config_setting_is_group(group))
		return NULL;
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group,
								    (unsigned)i);
		const char *name = config_setting_name(s);
		/* most names differ in their first letter: no call then */
		if (name[0] == key[0] && strcmp(name, key) == 0)
			return s;
	}
	return NULL;
}

/*--- Errors ---*/

static scn_msg *new_msg(scn_ctx *ctx)
{
	if (ctx->n_msgs == ctx->cap_msgs) {
		size_t cap = ctx->cap_msgs ? 2 * ctx->cap_msgs : 16;
		scn_msg *p = coh_reallocarray(ctx->msgs, cap, sizeof *p);
		if (!p) {
			ctx->nomem = 1;
			return NULL;
		}
		ctx->msgs = p;
		ctx->cap_msgs = cap;
	}
	scn_msg *m = &ctx->msgs[ctx->n_msgs];
	memset(m, 0, sizeof *m);
	m->seq = ctx->n_msgs++;
	return m;
}

void scn_error(scn_ctx *ctx, const config_setting_t *setting, const char *fmt,
	       ...)
{
	scn_msg *m = new_msg(ctx);
	if (!m)
		return;
	const char *file = ctx->main_name;
	int line = 1;   /* the scenario as a whole: its first line */
	if (setting) {
		/* The tree position: indices from the root down. */
		int idx[64];
		int n = 0;
		for (const config_setting_t *s = setting; s->parent && n < 64;
		     s = s->parent)
			idx[n++] = index_of(s);
		m->depth = n < SCN_KEY_MAX ? n : SCN_KEY_MAX;
		for (int i = 0; i < m->depth; i++)
			m->key[i] = idx[n - 1 - i];

		const scn_override *o = scn_override_of(ctx, setting);
		if (o) {
			file = o->label;
			line = 0;
		} else if (setting->parent) {
			file = scn_display_name(ctx, setting->file);
			line = (int)setting->line;
		}
	}
	va_list ap;
	va_start(ap, fmt);
	char text[COH_ERROR_MSG_MAX];
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	coh_error_set(&m->err, COH_EINPUT, file, line, "%s", text);
}

void scn_error_at(scn_ctx *ctx, const char *file, int line, const char *fmt,
		  ...)
{
	scn_msg *m = new_msg(ctx);
	if (!m)
		return;
	m->depth = -1;
	va_list ap;
	va_start(ap, fmt);
	char text[COH_ERROR_MSG_MAX];
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	coh_error_set(&m->err, COH_EINPUT, file, line, "%s", text);
}

/*--- Did you mean ---*/

/* Levenshtein distance, capped: anything over 8 apart is "far". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t row[33];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void scn_suggest_init(scn_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_distance = 99;
}

void scn_suggest_try(scn_suggest *s, const char *candidate)
{
	if (!candidate || !s->word)
		return;
	size_t d = distance(s->word, candidate);
	/* Close enough to be a typo: at most 2 edits, and fewer than a
	 * third of the word (so "by" does not suggest "to"). */
	size_t len = strlen(s->word);
	if (d == 0 || d > 2 || 3 * d > len)
		return;
	if (d < s->best_distance) {
		s->best = candidate;
		s->best_distance = d;
	}
}

/*--- Numbers ---*/

void scn_format_double(char *buf, size_t size, double value, int as_float)
{
	char text[COH_NUMBER_MAX];
	coh_format_double(text, value);
	snprintf(buf, size, "%s", text);
	if (as_float && !strpbrk(buf, ".eEni"))
		strncat(buf, ".0", size - strlen(buf) - 1);
}

const char *scn_type_phrase(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}
