/* --set PATH=VALUE: changes or creates one setting of the parsed tree
 * before validation, so that an overridden value meets the same checks as
 * a written one.  Every setting an override touches is remembered, and
 * errors about it name the override instead of a file line. */
#include "internal.h"
#include "core/number.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct value {
	int type;           /* what the text reads as, if nothing else is known */
	long long i;
	double f;
	const char *text;
} value;

static int is_integer(const char *t, long long *out)
{
	if (!t[0] || strspn(t, "+-0123456789") != strlen(t))
		return 0;
	errno = 0;
	char *end;
	long long v = strtoll(t, &end, 10);
	if (errno || *end)
		return 0;
	*out = v;
	return 1;
}

static int is_float(const char *t, double *out)
{
	/* strtod alone would take "inf", "nan" and hex: libconfig does not. */
	if (!t[0] || strspn(t, "+-0123456789.eE") != strlen(t) ||
	    !strpbrk(t, "0123456789"))
		return 0;
	char *end;
	double v = coh_strtod(t, &end);
	if (*end)
		return 0;
	*out = v;
	return 1;
}

static value read_value(const char *text)
{
	value v = {CONFIG_TYPE_STRING, 0, 0.0, text};
	if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0) {
		v.type = CONFIG_TYPE_BOOL;
		v.i = strcasecmp(text, "true") == 0;
	} else if (is_integer(text, &v.i)) {
		v.type = v.i >= INT_MIN && v.i <= INT_MAX ? CONFIG_TYPE_INT
							  : CONFIG_TYPE_INT64;
		v.f = (double)v.i;
	} else if (is_float(text, &v.f)) {
		v.type = CONFIG_TYPE_FLOAT;
	}
	return v;
}

/* Stores v in a setting of type `type` (fresh or existing). */
static int store(config_setting_t *s, int type, const value *v)
{
	switch (type) {
	case CONFIG_TYPE_BOOL:
		return config_setting_set_bool(s, (int)v->i);
	case CONFIG_TYPE_INT:
		return config_setting_set_int(s, (int)v->i);
	case CONFIG_TYPE_INT64:
		return config_setting_set_int64(s, v->i);
	case CONFIG_TYPE_FLOAT:
		return config_setting_set_float(s, v->f);
	default:
		return config_setting_set_string(s, v->text);
	}
}

/* Adds `name` to a group with the value's own type. */
static config_setting_t *create(scn_ctx *ctx, config_setting_t *group,
				const char *name, int type, const value *v,
				const char *label)
{
	config_setting_t *s = config_setting_add(group, name, type);
	if (!s)
		return NULL;
	if (v && store(s, type, v) != CONFIG_TRUE)
		return NULL;
	scn_override_note(ctx, s, label);
	return s;
}

/* The type an existing setting takes for the value, or -1 if the value
 * does not fit it.  An integer setting given a fraction becomes a float,
 * as if the file had said so, and validation decides whether a float is
 * welcome there. */
static int fitting_type(int have, const value *v)
{
	switch (have) {
	case CONFIG_TYPE_STRING:
		return CONFIG_TYPE_STRING;
	case CONFIG_TYPE_BOOL:
		return v->type == CONFIG_TYPE_BOOL ? have : -1;
	case CONFIG_TYPE_FLOAT:
		return v->type == CONFIG_TYPE_INT || v->type == CONFIG_TYPE_INT64 ||
		       v->type == CONFIG_TYPE_FLOAT ? have : -1;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (v->type == CONFIG_TYPE_INT)
			return have;
		if (v->type == CONFIG_TYPE_INT64 || v->type == CONFIG_TYPE_FLOAT)
			return v->type;
		return -1;
	default:
		return -1;
	}
}

static void bad_value(scn_ctx *ctx, const config_setting_t *s,
		      const value *v, const char *label)
{
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	const char *expect;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_BOOL: expect = "true or false"; break;
	case CONFIG_TYPE_FLOAT: expect = "a number"; break;
	default: expect = "an integer"; break;
	}
	scn_error_at(ctx, label, 0, "%s must be %s, got \"%s\"", where,
		     expect, v->text);
}

static void set_existing(scn_ctx *ctx, config_setting_t *s, const value *v,
			 const char *label)
{
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	if (config_setting_is_aggregate(s)) {
		scn_error_at(ctx, label, 0, "%s is %s, expected the path of a "
			     "single value", where,
			     scn_type_phrase(config_setting_type(s)));
		return;
	}
	int type = fitting_type(config_setting_type(s), v);
	if (type < 0) {
		bad_value(ctx, s, v, label);
		return;
	}
	if (type == config_setting_type(s)) {
		if (store(s, type, v) == CONFIG_TRUE)
			scn_override_note(ctx, s, label);
		return;
	}
	/* A new type needs a new setting; libconfig can only add one to a
	 * group (elements of lists and arrays keep their type). */
	config_setting_t *parent = config_setting_parent(s);
	if (!config_setting_is_group(parent)) {
		bad_value(ctx, s, v, label);
		return;
	}
	char name[SCN_PATH_MAX];
	snprintf(name, sizeof name, "%s", config_setting_name(s));
	scn_override_note(ctx, s, NULL);
	config_setting_remove(parent, name);
	if (!create(ctx, parent, name, type, v, label))
		scn_error_at(ctx, label, 0, "%s cannot be set", where);
}

/* Parses "[12]". */
static int parse_index(const char *seg, unsigned *out)
{
	size_t n = strlen(seg);
	if (n < 3 || seg[0] != '[' || seg[n - 1] != ']' ||
	    strspn(seg + 1, "0123456789") != n - 2 || n > 12)
		return 0;
	*out = (unsigned)strtoul(seg + 1, NULL, 10);
	return 1;
}

/* The element of a list of groups whose id is `id`. */
static config_setting_t *by_id(const config_setting_t *list, const char *id)
{
	int n = config_setting_length(list);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *have;
		if (config_setting_is_group(e) &&
		    config_setting_lookup_string(e, "id", &have) == CONFIG_TRUE &&
		    strcmp(have, id) == 0)
			return e;
	}
	return NULL;
}

static void apply(scn_ctx *ctx, const char *text, const char *label)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text) {
		scn_error_at(ctx, label, 0, "expected PATH=VALUE, e.g. "
			     "members.ARM.freeze=0.3");
		return;
	}
	char path[SCN_PATH_MAX];
	size_t plen = (size_t)(eq - text);
	if (plen >= sizeof path) {
		scn_error_at(ctx, label, 0, "the path is too long");
		return;
	}
	memcpy(path, text, plen);
	path[plen] = '\0';
	if (path[0] == '.' || path[plen - 1] == '.' || strstr(path, "..")) {
		scn_error_at(ctx, label, 0, "the path has an empty part, "
			     "expected names joined by single dots, e.g. "
			     "members.ARM.freeze");
		return;
	}
	value v = read_value(eq + 1);

	config_setting_t *cur = config_root_setting(&ctx->sc->cfg);
	char *save = NULL;
	char *seg = strtok_r(path, ".", &save);
	/* How the path reads up to here, for messages. */
	char done[SCN_PATH_MAX] = "";
	while (seg) {
		char *next = strtok_r(NULL, ".", &save);
		unsigned idx;
		config_setting_t *child;
		if (parse_index(seg, &idx)) {
			if (!config_setting_is_list(cur) &&
			    !config_setting_is_array(cur)) {
				scn_error_at(ctx, label, 0, "%s is not a list, "
					     "so %s does not exist",
					     done[0] ? done : "the top level",
					     seg);
				return;
			}
			child = config_setting_get_elem(cur, idx);
			if (!child) {
				scn_error_at(ctx, label, 0, "%s has no element %s "
					     "(it has %d)", done, seg,
					     config_setting_length(cur));
				return;
			}
		} else if (seg[0] == '[') {
			scn_error_at(ctx, label, 0, "bad index \"%s\", expected "
				     "[0], [1], ...", seg);
			return;
		} else if (config_setting_is_group(cur)) {
			child = config_setting_get_member(cur, seg);
			if (!child && next && next[0] == '[') {
				scn_error_at(ctx, label, 0, "%s has no %s, "
					     "expected a list",
					     done[0] ? done : "the top level",
					     seg);
				return;
			}
			if (!child) {
				/* A new setting; groups on the way are made
				 * too, so output.sample_every works in a file
				 * without an output block. */
				int type = next ? CONFIG_TYPE_GROUP : v.type;
				child = create(ctx, cur, seg, type,
					       next ? NULL : &v, label);
				if (!child) {
					scn_error_at(ctx, label, 0, "cannot "
						     "create \"%s\" in %s, "
						     "expected a name of "
						     "letters, digits, - "
						     "and _", seg,
						     done[0] ? done
						     : "the top level");
					return;
				}
				if (!next)
					return;
			}
		} else if (config_setting_is_list(cur)) {
			child = by_id(cur, seg);
			if (!child) {
				scn_error_at(ctx, label, 0, "%s has no element "
					     "with id \"%s\"", done, seg);
				return;
			}
		} else {
			scn_error_at(ctx, label, 0, "%s is %s, so %s.%s does not "
				     "exist", done,
				     scn_type_phrase(config_setting_type(cur)),
				     done, seg);
			return;
		}
		size_t used = strlen(done);
		snprintf(done + used, sizeof done - used, "%s%s",
			 used ? "." : "", seg);
		cur = child;
		seg = next;
	}
	if (config_setting_is_root(cur)) {
		scn_error_at(ctx, label, 0, "expected PATH=VALUE, e.g. "
			     "members.ARM.freeze=0.3");
		return;
	}
	set_existing(ctx, cur, &v, label);
}

int scn_apply_overrides(scn_ctx *ctx, const coh_load_options *opts)
{
	size_t before = ctx->n_msgs;
	for (size_t i = 0; opts && i < opts->n_overrides; i++) {
		const char *text = opts->overrides[i];
		size_t n = strlen(text) + 7;
		char *label = scn_alloc(ctx, n, 1);
		if (!label)
			return COH_ENOMEM;
		snprintf(label, n, "--set %s", text);
		apply(ctx, text, label);
		if (ctx->nomem)
			return COH_ENOMEM;
	}
	return ctx->n_msgs > before ? COH_EINPUT : 0;
}

/* Follows path through the tree as apply() does, without creating or
 * reporting anything. */
static const config_setting_t *lookup(const config_setting_t *root,
				      const char *text)
{
	char path[SCN_PATH_MAX];
	if (strlen(text) >= sizeof path)
		return NULL;
	snprintf(path, sizeof path, "%s", text);
	const config_setting_t *cur = root;
	char *save = NULL;
	for (char *seg = strtok_r(path, ".", &save); seg && cur;
	     seg = strtok_r(NULL, ".", &save)) {
		unsigned idx;
		if (parse_index(seg, &idx))
			cur = config_setting_is_list(cur) ||
			      config_setting_is_array(cur)
			      ? config_setting_get_elem(cur, idx) : NULL;
		else if (config_setting_is_group(cur))
			cur = config_setting_get_member(cur, seg);
		else if (config_setting_is_list(cur))
			cur = by_id(cur, seg);
		else
			cur = NULL;
	}
	return cur;
}

int coh_scenario_source_setting(const coh_scenario_source *source,
				const char *path)
{
	const char *eq = strchr(path, '=');
	char name[SCN_PATH_MAX];
	size_t n = eq ? (size_t)(eq - path) : strlen(path);
	if (n >= sizeof name)
		return COH_SETTING_ABSENT;
	memcpy(name, path, n);
	name[n] = '\0';
	const config_setting_t *s =
		lookup(config_root_setting(&source->parsed.cfg), name);
	if (!s)
		return COH_SETTING_ABSENT;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return COH_SETTING_INTEGER;
	case CONFIG_TYPE_FLOAT:
		return COH_SETTING_NUMBER;
	default:
		return COH_SETTING_OTHER;
	}
}
