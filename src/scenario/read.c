/* Typed reading of libconfig settings for the scenario loader: numbers,
 * integers, strings, dates and names of members and outsiders, each with
 * the format's rules (finite numbers, ranges, an integer accepted where a
 * float is expected but not the reverse) and its messages. */
#include "internal.h"
#include "cohesim/date.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Only for messages: libconfig finds a setting's index in its list by a
 * linear search, so building paths eagerly made reading n members cost
 * O(n^2). */
static void path_of(const config_setting_t *s, char *buf)
{
	scn_path(s, buf, SCN_PATH_MAX);
}

static void missing(scn_ctx *ctx, const config_setting_t *group,
		    const char *key, const char *expect)
{
	char where[SCN_PATH_MAX];
	path_of(group, where);
	scn_error(ctx, group, "%s%smissing %s, expected %s", where,
		  where[0] ? ": " : "", key, expect);
}

static void wrong_type(scn_ctx *ctx, const config_setting_t *s,
		       const char *expect)
{
	char where[SCN_PATH_MAX];
	path_of(s, where);
	scn_error(ctx, s, "%s must be %s, got %s", where, expect,
		  scn_type_phrase(config_setting_type(s)));
}

/* The setting `key` of group, or NULL (with the "missing" error when it is
 * required). */
static const config_setting_t *member(scn_ctx *ctx,
				      const config_setting_t *group,
				      const char *key, int required,
				      const char *expect)
{
	const config_setting_t *s = scn_member(group, key);
	if (!s && required)
		missing(ctx, group, key, expect);
	return s;
}

int scn_number(scn_ctx *ctx, const config_setting_t *s, scn_range range,
	       double *out)
{
	double v;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		wrong_type(ctx, s, "a number");
		return SCN_BAD;
	}
	if (coh_range_holds(range, v)) {
		*out = v;
		return SCN_OK;
	}
	char where[SCN_PATH_MAX], got[32];
	path_of(s, where);
	scn_format_double(got, sizeof got, v, 0);
	if (!isfinite(v))
		scn_error(ctx, s, "%s must be a finite number, got %s", where,
			  got);
	else
		scn_error(ctx, s, "%s must be %s, got %s", where,
			  coh_range_text(range), got);
	return SCN_BAD;
}

int scn_get_number(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, scn_range range, int required, double *out)
{
	const config_setting_t *s = scn_member(group, key);
	if (!s && !required)
		return SCN_ABSENT;
	if (!s) {
		/* the message only when it is needed: a sweep's check reads
		 * every point's numbers */
		char expect[64];
		snprintf(expect, sizeof expect, "a number%s%s",
			 range == SCN_ANY ? "" : " ", coh_range_text(range));
		missing(ctx, group, key, expect);
		return SCN_BAD;
	}
	return scn_number(ctx, s, range, out);
}

int scn_get_integer(scn_ctx *ctx, const config_setting_t *group,
		    const char *key, long long min, int required,
		    long long *out)
{
	const config_setting_t *s = scn_member(group, key);
	if (!s && !required)
		return SCN_ABSENT;
	if (!s) {
		char expect[48];
		snprintf(expect, sizeof expect, "an integer >= %lld", min);
		missing(ctx, group, key, expect);
		return SCN_BAD;
	}
	char where[SCN_PATH_MAX] = "";
	long long v;
	int type = config_setting_type(s);
	if (type == CONFIG_TYPE_FLOAT)
		path_of(s, where);
	switch (type) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT: {
		double f = config_setting_get_float(s);
		char got[32];
		scn_format_double(got, sizeof got, f, 1);
		if (isfinite(f) && f == floor(f) && fabs(f) < 1e15)
			scn_error(ctx, s, "%s must be an integer, got the float "
				  "%s (write %.0f, without a decimal point)",
				  where, got, f);
		else
			scn_error(ctx, s, "%s must be an integer, got the float "
				  "%s", where, got);
		return SCN_BAD;
	}
	default:
		wrong_type(ctx, s, "an integer");
		return SCN_BAD;
	}
	if (v < min) {
		path_of(s, where);
		scn_error(ctx, s, "%s must be >= %lld, got %lld", where, min, v);
		return SCN_BAD;
	}
	*out = v;
	return SCN_OK;
}

int scn_get_string(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, const char *expect, int required,
		   const char **out)
{
	const config_setting_t *s = member(ctx, group, key, required, expect);
	if (!s)
		return required ? SCN_BAD : SCN_ABSENT;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		wrong_type(ctx, s, "a string");
		return SCN_BAD;
	}
	*out = config_setting_get_string(s);
	return SCN_OK;
}

int scn_get_bool(scn_ctx *ctx, const config_setting_t *group,
		 const char *key, int *out)
{
	const config_setting_t *s = scn_member(group, key);
	if (!s)
		return SCN_ABSENT;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		wrong_type(ctx, s, "true or false");
		return SCN_BAD;
	}
	*out = config_setting_get_bool(s);
	return SCN_OK;
}

int scn_get_date(scn_ctx *ctx, const config_setting_t *group,
		 const char *key, int required, int64_t *out)
{
	const char *text;
	int rc = scn_get_string(ctx, group, key, "a date \"YYYY-MM-DD\"",
				required, &text);
	if (rc != SCN_OK)
		return rc;
	if (coh_date_parse(out, text) == 0)
		return SCN_OK;
	const config_setting_t *s = scn_member(group, key);
	char where[SCN_PATH_MAX];
	path_of(s, where);
	/* Tell a date that does not exist from one that is not written as
	 * a date: the fixes differ. */
	int shaped = strlen(text) == 10 && text[4] == '-' && text[7] == '-' &&
		     strspn(text, "0123456789") == 4 &&
		     strspn(text + 5, "0123456789") == 2 &&
		     strspn(text + 8, "0123456789") == 2;
	if (shaped)
		scn_error(ctx, s, "%s: %s is not a day of the calendar, expected "
			  "a real date", where, text);
	else
		scn_error(ctx, s, "%s must be a date \"YYYY-MM-DD\", got \"%s\"",
			  where, text);
	return SCN_BAD;
}

/* Builds "RUS, ARM, KAZ" for messages about unknown names, ending in
 * "..." when the buffer is full. */
typedef struct joiner {
	char buf[200];
	size_t used;
	int full;
} joiner;

static void join(joiner *j, const char *item)
{
	if (!item || j->full)
		return;
	size_t room = sizeof j->buf - j->used;
	int w = snprintf(j->buf + j->used, room, "%s%s", j->used ? ", " : "",
			 item);
	if (w < 0 || (size_t)w >= room - 5) {
		snprintf(j->buf + j->used, room, "%s...", j->used ? ", " : "");
		j->full = 1;
		return;
	}
	j->used += (size_t)w;
}

static int find_member(const scn_ctx *ctx, const char *id)
{
	int a = scn_ids_find(ctx, id);
	return a >= 0 && (size_t)a < ctx->sc->model.n_members ? a : -1;
}

static int find_outsider(const scn_ctx *ctx, const char *id)
{
	int a = scn_ids_find(ctx, id);
	size_t nm = ctx->sc->model.n_members;
	return a >= 0 && (size_t)a >= nm ? a - (int)nm : -1;
}

/* An unknown id: a hint if it is close to a known one or names the other
 * kind of actor, else the list of ids. */
static void unknown_id(scn_ctx *ctx, const config_setting_t *s,
		       const char *id, int want_member)
{
	const coh_model *m = &ctx->sc->model;
	char where[SCN_PATH_MAX];
	path_of(s, where);
	const char *kind = want_member ? "member" : "outsider";
	if (want_member ? find_outsider(ctx, id) >= 0
			: find_member(ctx, id) >= 0) {
		scn_error(ctx, s, "%s: \"%s\" is %s, expected a %s", where, id,
			  want_member ? "an outsider" : "a member", kind);
		return;
	}
	scn_suggest sg;
	scn_suggest_init(&sg, id);
	if (want_member)
		for (size_t i = 0; i < m->n_members; i++)
			scn_suggest_try(&sg, m->members[i].id);
	else
		for (size_t i = 0; i < m->n_outsiders; i++)
			scn_suggest_try(&sg, m->outsiders[i].id);
	if (sg.best) {
		scn_error(ctx, s, "%s: unknown %s \"%s\" (did you mean \"%s\"?)",
			  where, kind, id, sg.best);
		return;
	}
	joiner ids = {.used = 0};
	if (want_member)
		for (size_t i = 0; i < m->n_members; i++)
			join(&ids, m->members[i].id);
	else
		for (size_t i = 0; i < m->n_outsiders; i++)
			join(&ids, m->outsiders[i].id);
	if (ids.buf[0])
		scn_error(ctx, s, "%s: unknown %s \"%s\", expected one of %s",
			  where, kind, id, ids.buf);
	else
		scn_error(ctx, s, "%s: unknown %s \"%s\", and no %ss are "
			  "defined", where, kind, id, kind);
}

int scn_member_of(scn_ctx *ctx, const config_setting_t *s, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		wrong_type(ctx, s, "a member id (a string)");
		return SCN_BAD;
	}
	const char *id = config_setting_get_string(s);
	int i = find_member(ctx, id);
	if (i < 0) {
		unknown_id(ctx, s, id, 1);
		return SCN_BAD;
	}
	*out = i;
	return SCN_OK;
}

int scn_get_member(scn_ctx *ctx, const config_setting_t *group,
		   const char *key, int required, int allow_all, int *out)
{
	const config_setting_t *s = member(ctx, group, key, required,
					   allow_all ? "a member id or \"*\""
					   : "a member id");
	if (!s)
		return required ? SCN_BAD : SCN_ABSENT;
	if (allow_all && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    strcmp(config_setting_get_string(s), "*") == 0) {
		*out = -1;
		return SCN_OK;
	}
	return scn_member_of(ctx, s, out);
}

int scn_get_outsider(scn_ctx *ctx, const config_setting_t *group,
		     const char *key, int required, int *out)
{
	const config_setting_t *s = member(ctx, group, key, required,
					   "an outsider id");
	if (!s)
		return required ? SCN_BAD : SCN_ABSENT;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		wrong_type(ctx, s, "an outsider id (a string)");
		return SCN_BAD;
	}
	const char *id = config_setting_get_string(s);
	int i = find_outsider(ctx, id);
	if (i < 0) {
		unknown_id(ctx, s, id, 0);
		return SCN_BAD;
	}
	*out = i;
	return SCN_OK;
}

const config_setting_t *scn_get_group(scn_ctx *ctx,
				      const config_setting_t *parent,
				      const char *key, int required)
{
	const config_setting_t *s = member(ctx, parent, key, required,
					   "a group { ... }");
	if (s && !config_setting_is_group(s)) {
		wrong_type(ctx, s, "a group { ... }");
		return NULL;
	}
	return s;
}

const config_setting_t *scn_get_list(scn_ctx *ctx,
				     const config_setting_t *parent,
				     const char *key, int required)
{
	const config_setting_t *s = member(ctx, parent, key, required,
					   "a list ( ... )");
	/* An empty list is easy to write as [], which libconfig calls an
	 * array: take it as the empty list it means. */
	if (s && !config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && config_setting_length(s) == 0)) {
		wrong_type(ctx, s, "a list ( ... )");
		return NULL;
	}
	return s;
}

static int known_key(const char *const *keys, const char *name)
{
	for (size_t k = 0; keys[k]; k++)
		if (strcmp(keys[k], name) == 0)
			return 1;
	return 0;
}

int scn_keys_known(const config_setting_t *group, const char *const *keys)
{
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++)
		if (!known_key(keys, config_setting_name(
				   config_setting_get_elem(group, (unsigned)i))))
			return 0;
	return 1;
}

void scn_check_keys(scn_ctx *ctx, const config_setting_t *group,
		    const char *const *keys, const char *what)
{
	char where[SCN_PATH_MAX];
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group,
								    (unsigned)i);
		const char *name = config_setting_name(s);
		if (known_key(keys, name))
			continue;
		if (!what) {
			path_of(group, where);
			what = where[0] ? where : "the top level";
		}
		size_t k;
		scn_suggest sg;
		scn_suggest_init(&sg, name);
		for (k = 0; keys[k]; k++)
			scn_suggest_try(&sg, keys[k]);
		if (sg.best) {
			scn_error(ctx, s, "unknown key \"%s\" in %s (did you mean "
				  "\"%s\"?)", name, what, sg.best);
			continue;
		}
		joiner all = {.used = 0};
		for (k = 0; keys[k]; k++)
			join(&all, keys[k]);
		scn_error(ctx, s, "unknown key \"%s\" in %s, expected one of %s",
			  name, what, all.buf);
	}
}
