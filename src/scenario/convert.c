/* From the parsed (and overridden) libconfig tree to a validated coh_model:
 * the scenario, model, alliance and output blocks, members, outsiders, ties
 * and affinities (events.c does the timeline and generators).  Every
 * problem is reported, none stops the walk; the model is only used when
 * there were none. */
#include "internal.h"
#include "cohesim/date.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const top_keys[] = {
	"version", "scenario", "model", "alliance", "members", "outsiders",
	"ties", "affinities", "events", "generators", "output", "sweep",
	"sensitivity", "calibration", NULL
};

/* The member parameters that the model block defaults and `set` events
 * change; order follows coh_member_field, ranges are the catalogue's
 * (coh_member_field_range). */
static const size_t param_offsets[COH_FIELD__COUNT] = {
	[COH_FIELD_BASELINE] = offsetof(coh_member, baseline),
	[COH_FIELD_SENSITIVITY] = offsetof(coh_member, sensitivity),
	[COH_FIELD_HALF_LIFE] = offsetof(coh_member, half_life),
	[COH_FIELD_ADAPTATION_HALF_LIFE] =
		offsetof(coh_member, adaptation_half_life),
	[COH_FIELD_SUSCEPTIBILITY] = offsetof(coh_member, susceptibility),
	[COH_FIELD_FREEZE] = offsetof(coh_member, freeze),
	[COH_FIELD_EXIT] = offsetof(coh_member, exit),
	[COH_FIELD_DWELL] = offsetof(coh_member, dwell),
	[COH_FIELD_RECOVER] = offsetof(coh_member, recover),
};

scn_range scn_field_range(coh_member_field field)
{
	return coh_member_field_range(field);
}

static double *param(coh_member *m, int field)
{
	return (double *)(void *)((char *)m + param_offsets[field]);
}

static int matches(const char *text, const char *allowed, size_t max)
{
	size_t n = strlen(text);
	return n > 0 && n <= max && strspn(text, allowed) == n;
}

/*--- version and scenario ---*/

static void convert_version(scn_ctx *ctx, const config_setting_t *root)
{
	long long v;
	if (!scn_member(root, "version")) {
		scn_error(ctx, root, "missing version, expected version = 1 "
			  "(the format version) at the top of the file");
		return;
	}
	if (scn_get_integer(ctx, root, "version", 1, 1, &v) == SCN_OK &&
	    v != 1) {
		const config_setting_t *s = scn_member(root,
								      "version");
		scn_error(ctx, s, "version must be 1 (the only format version), "
			  "got %lld", v);
	}
}

static void convert_scenario(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {
		"name", "title", "start", "end", "record_end", "seed",
		"replications", NULL
	};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *g = scn_get_group(ctx, root, "scenario", 1);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	if (scn_get_string(ctx, g, "name", "a name made of a-z, 0-9 and -", 1,
			   &m->name) == SCN_OK &&
	    !matches(m->name, "abcdefghijklmnopqrstuvwxyz0123456789-", 200)) {
		scn_error(ctx, scn_member(g, "name"),
			  "scenario.name must be made of a-z, 0-9 and - "
			  "(it names output folders), got \"%s\"", m->name);
		m->name = NULL;
	}
	m->title = m->name;
	scn_get_string(ctx, g, "title", "a string", 0, &m->title);

	int64_t start, end;
	int have_start = scn_get_date(ctx, g, "start", 1, &start) == SCN_OK;
	int have_end = scn_get_date(ctx, g, "end", 1, &end) == SCN_OK;
	if (have_start && have_end) {
		if (end <= start) {
			char a[16], b[16];
			coh_date_format(a, sizeof a, start);
			coh_date_format(b, sizeof b, end);
			scn_error(ctx, scn_member(g, "end"),
				  "scenario.end %s must be after scenario.start "
				  "%s", b, a);
		} else {
			ctx->have_dates = 1;
			ctx->start_day = start;
			ctx->end_day = end;
			m->start_day = start;
			m->horizon = (double)(end - start);
		}
	}
	int64_t record_end;
	if (scn_get_date(ctx, g, "record_end", 0, &record_end) == SCN_OK &&
	    ctx->have_dates) {
		if (record_end < start || record_end > end) {
			char a[16], b[16], c[16];
			coh_date_format(a, sizeof a, start);
			coh_date_format(b, sizeof b, end);
			coh_date_format(c, sizeof c, record_end);
			scn_error(ctx, scn_member(g, "record_end"),
				  "scenario.record_end %s must lie within the "
				  "scenario, %s to %s", c, a, b);
		} else {
			m->has_record_end = 1;
			m->record_end = (double)(record_end - start);
		}
	}

	long long v;
	m->seed = 1;
	if (scn_get_integer(ctx, g, "seed", 0, 0, &v) == SCN_OK)
		m->seed = (uint64_t)v;
	m->replications = 1;
	if (scn_get_integer(ctx, g, "replications", 1, 0, &v) == SCN_OK) {
		/* the summaries' exact sums hold 2^31 replications */
		if (v > 2147483648LL)
			scn_error(ctx, scn_member(g,
								 "replications"),
				  "scenario.replications must be at most "
				  "2147483648 (2^31), got %lld", v);
		else
			m->replications = (uint64_t)v;
	}
}

/*--- model ---*/

/* weights or spillover: keys are weight names, values in `range`. */
static void convert_weights(scn_ctx *ctx, const config_setting_t *model,
			    const char *key, scn_range range, double *out)
{
	const config_setting_t *g = scn_get_group(ctx, model, key, 0);
	if (!g)
		return;
	int n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g,
								    (unsigned)i);
		const char *name = config_setting_name(s);
		int k = coh_weight_key_lookup(name);
		int u = k < 0 ? scn_user_kind(ctx, name) : -1;
		if (u >= 0) {
			/* a type of the scenario's own: this overrides what
			 * its declaration says */
			coh_user_kind *uk = &ctx->sc->model.user_kinds[u];
			scn_number(ctx, s, range, range == SCN_SIGNED_UNIT ?
					  &uk->weight : &uk->spillover);
			continue;
		}
		if (k < 0) {
			scn_suggest sg;
			scn_suggest_init(&sg, name);
			for (int j = 0; j < COH_W__COUNT; j++)
				scn_suggest_try(&sg, coh_weight_key_name(j));
			for (size_t j = 0; j < ctx->sc->model.n_user_kinds; j++)
				scn_suggest_try(&sg, ctx->sc->model.user_kinds[j]
							     .kind.name);
			if (sg.best)
				scn_error(ctx, s, "unknown weight key \"%s\" in "
					  "model.%s (did you mean \"%s\"?)",
					  name, key, sg.best);
			else
				scn_error(ctx, s, "unknown weight key \"%s\" in "
					  "model.%s, expected an event weight "
					  "name such as request_unanswered",
					  name, key);
			continue;
		}
		scn_number(ctx, s, range, &out[k]);
	}
}

/* The thresholds must satisfy exit <= freeze; when one comes from an
 * override the error names it, since that is what the user just changed. */
static void check_thresholds(scn_ctx *ctx, const config_setting_t *g,
			     double freeze, double exit)
{
	if (exit <= freeze)
		return;
	const config_setting_t *f = scn_member(g, "freeze");
	const config_setting_t *x = scn_member(g, "exit");
	const config_setting_t *blame = x ? x : f ? f : g;
	if (f && scn_override_of(ctx, f) && !(x && scn_override_of(ctx, x)))
		blame = f;
	char where[SCN_PATH_MAX], a[32], b[32];
	scn_path(g, where, sizeof where);
	scn_format_double(a, sizeof a, exit, 0);
	scn_format_double(b, sizeof b, freeze, 0);
	scn_error(ctx, blame, "%s: thresholds out of order, expected exit <= "
		  "freeze, got exit %s and freeze %s", where, a, b);
}

/* Reads the member parameters a group sets (the model block's defaults,
 * without baseline, or a member's own) and checks their thresholds. */
static void read_params(scn_ctx *ctx, const config_setting_t *g,
			coh_member *mb, int defaults)
{
	int ok = 1;
	for (int f = defaults ? 1 : 0; f < COH_FIELD__COUNT; f++)
		if (scn_get_number(ctx, g, coh_member_field_name((coh_member_field)f),
				   coh_member_field_range((coh_member_field)f), 0,
				   param(mb, f)) == SCN_BAD &&
		    (f == COH_FIELD_FREEZE || f == COH_FIELD_EXIT))
			ok = 0;
	/* A member's thresholds are checked only where it sets one: a bad
	 * pair of defaults is reported once, at the model block. */
	if (ok && (defaults || scn_member(g, "freeze") ||
		   scn_member(g, "exit")))
		check_thresholds(ctx, g, mb->freeze, mb->exit);
}

/* Reads the model block; `proto` receives the member defaults. */
static void convert_model(scn_ctx *ctx, const config_setting_t *root,
			  coh_member *proto)
{
	static const char *const keys[] = {
		"half_life", "adaptation_half_life", "susceptibility",
		"sensitivity", "freeze", "exit", "dwell", "recover",
		"consultation_period", "weights", "spillover", "response",
		"rebuke", "event_types", NULL
	};
	static const char *const response_keys[] = {
		"base", "commitment", "tie", "affinity", "scope_factor", NULL
	};
	static const char *const rebuke_keys[] = {
		"probability", "delay", "magnitude", NULL
	};
	coh_model *m = &ctx->sc->model;

	memset(proto, 0, sizeof *proto);
	proto->half_life = 365.0;
	proto->susceptibility = 0.5;
	proto->sensitivity = 1.0;
	for (int k = 0; k < COH_W__COUNT; k++) {
		m->weight[k] = coh_default_weight(k);
		m->spillover[k] = coh_default_spillover(k);
	}
	m->response = (coh_response_params){
		.base = -0.73, .commitment = 2.0, .tie = 1.0, .affinity = 2.0,
		.scope_factor = 0.2
	};
	m->rebuke = (coh_rebuke_params){
		.probability = 0.5, .delay = 7.0, .magnitude = 1.0
	};

	const config_setting_t *g = scn_get_group(ctx, root, "model", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	read_params(ctx, g, proto, 1);
	if (scn_get_number(ctx, g, "consultation_period", SCN_NONNEG, 0,
			   &m->consultation_period) == SCN_OK &&
	    m->consultation_period > 0 && ctx->have_dates &&
	    (double)(ctx->end_day - ctx->start_day) /
			    m->consultation_period > SCN_MAX_STEPS)
		scn_error(ctx, scn_member(g,
							 "consultation_period"),
			  "model.consultation_period = %g days gives more "
			  "than %d rounds over the horizon; expected 0 or at "
			  "least %g", m->consultation_period, SCN_MAX_STEPS,
			  (double)(ctx->end_day - ctx->start_day) /
				  SCN_MAX_STEPS);
	scn_convert_event_types(ctx, scn_get_list(ctx, g, "event_types", 0));
	convert_weights(ctx, g, "weights", SCN_SIGNED_UNIT, m->weight);
	convert_weights(ctx, g, "spillover", SCN_UNIT, m->spillover);

	const config_setting_t *r = scn_get_group(ctx, g, "response", 0);
	if (r) {
		scn_check_keys(ctx, r, response_keys, NULL);
		scn_get_number(ctx, r, "base", SCN_ANY, 0, &m->response.base);
		scn_get_number(ctx, r, "commitment", SCN_ANY, 0,
			       &m->response.commitment);
		scn_get_number(ctx, r, "tie", SCN_ANY, 0, &m->response.tie);
		scn_get_number(ctx, r, "affinity", SCN_ANY, 0,
			       &m->response.affinity);
		scn_get_number(ctx, r, "scope_factor", SCN_UNIT, 0,
			       &m->response.scope_factor);
	}
	const config_setting_t *b = scn_get_group(ctx, g, "rebuke", 0);
	if (b) {
		scn_check_keys(ctx, b, rebuke_keys, NULL);
		scn_get_number(ctx, b, "probability", SCN_UNIT, 0,
			       &m->rebuke.probability);
		scn_get_number(ctx, b, "delay", SCN_NONNEG, 0,
			       &m->rebuke.delay);
		scn_get_number(ctx, b, "magnitude", SCN_NONNEG, 0,
			       &m->rebuke.magnitude);
	}
}

/*--- members and outsiders ---*/

/* Reads the id of actor `actor` (members first, then outsiders; nm
 * members): valid and unused, or NULL. */
static const char *read_id(scn_ctx *ctx, const config_setting_t *g,
			   int actor, size_t nm)
{
	const char *id;
	if (scn_get_string(ctx, g, "id", "an id of 1 to 32 letters, digits "
			   "or _", 1, &id) != SCN_OK)
		return NULL;
	const config_setting_t *s = scn_member(g, "id");
	char where[SCN_PATH_MAX];
	if (!matches(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		     "0123456789_", 32)) {
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s must be 1 to 32 letters, digits or _, got "
			  "\"%s\"", where, id);
		return NULL;
	}
	int other = scn_ids_find(ctx, id);
	if (other >= 0) {
		int is_member = (size_t)other < nm;
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s: duplicate id \"%s\", already used by "
			  "%s.[%d]; ids must be unique across members and "
			  "outsiders", where, id,
			  is_member ? "members" : "outsiders",
			  is_member ? other : other - (int)nm);
		return NULL;
	}
	scn_ids_add(ctx, id, actor);
	return id;
}

/* Allocates the member and outsider tables and reads their ids, so that
 * every later reference can be resolved whatever the order of the file. */
static void read_actor_ids(scn_ctx *ctx, const config_setting_t *members,
			   const config_setting_t *outsiders)
{
	coh_model *m = &ctx->sc->model;
	size_t nm = scn_group_list(ctx, members, "{ ... }");
	size_t no = scn_group_list(ctx, outsiders, "{ ... }");
	m->members = scn_alloc(ctx, nm, sizeof *m->members);
	m->outsiders = scn_alloc(ctx, no, sizeof *m->outsiders);
	scn_ids_alloc(ctx, nm + no);
	if (!m->members || !m->outsiders || !ctx->ids)
		return;
	for (size_t i = 0; i < nm; i++) {
		const config_setting_t *g = config_setting_get_elem(members,
								    (unsigned)i);
		if (config_setting_is_group(g))
			m->members[i].id = read_id(ctx, g, (int)i, nm);
	}
	m->n_members = nm;
	for (size_t i = 0; i < no; i++) {
		const config_setting_t *g = config_setting_get_elem(outsiders,
								    (unsigned)i);
		if (config_setting_is_group(g))
			m->outsiders[i].id = read_id(ctx, g,
						     (int)(nm + i), nm);
	}
	m->n_outsiders = no;
}

/* The number of names in g's `aliases` (0 when it is not a list). */
static size_t count_aliases(const config_setting_t *g)
{
	const config_setting_t *v = g ? scn_member(g, "aliases") : NULL;
	if (!v || (!config_setting_is_array(v) && !config_setting_is_list(v)))
		return 0;
	int n = config_setting_length(v);
	return n > 0 ? (size_t)n : 0;
}

/* aliases: the other names event data may give a member or an outsider
 * (cohesim import, docs/import.md); an array or list of non-empty
 * strings, optional.  Appended to the model's list (sized beforehand by
 * count_aliases) for the party. */
static void read_aliases(scn_ctx *ctx, const config_setting_t *g,
			 coh_alias *list, size_t *n, int party)
{
	const config_setting_t *v = scn_member(g, "aliases");
	char where[SCN_PATH_MAX];
	if (!v)
		return;
	scn_path(v, where, sizeof where);
	if (!config_setting_is_array(v) && !config_setting_is_list(v)) {
		scn_error(ctx, v, "%s must be an array of names "
			  "[\"Russian Federation\"], got %s", where,
			  scn_type_phrase(config_setting_type(v)));
		return;
	}
	if (!list)
		return;         /* empty, or out of memory (ctx says so) */
	int len = config_setting_length(v);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(v,
								    (unsigned)i);
		const char *text = config_setting_get_string(e);
		if (!text || !*text) {
			scn_path(e, where, sizeof where);
			scn_error(ctx, e, "%s must be a name (a non-empty "
				  "string), got %s", where,
				  text ? "\"\"" : scn_type_phrase(
						config_setting_type(e)));
			continue;
		}
		list[*n].party = party;
		list[*n].name = scn_strdup(ctx, text);
		(*n)++;
	}
}

/* `joins`: the day a member enters the alliance; before it the member is
 * a candidate (docs/model.md section 15).  A day after the start and no
 * later than the end: a member there from the start simply has no
 * `joins`. */
static void read_joins(scn_ctx *ctx, const config_setting_t *g,
		       coh_member *mb)
{
	int64_t day;
	mb->joins = 0;
	if (scn_get_date(ctx, g, "joins", 0, &day) != SCN_OK ||
	    !ctx->have_dates)
		return;
	if (day <= ctx->start_day || day > ctx->end_day) {
		const config_setting_t *s = scn_member(g, "joins");
		char where[SCN_PATH_MAX], a[16], b[16], c[16];
		scn_path(s, where, sizeof where);
		coh_date_format(a, sizeof a, day);
		coh_date_format(b, sizeof b, ctx->start_day);
		coh_date_format(c, sizeof c, ctx->end_day);
		scn_error(ctx, s, "%s %s must be after scenario.start %s and no "
			  "later than scenario.end %s (a member there from the "
			  "start has no joins)", where, a, b, c);
		return;
	}
	mb->joins = (double)(day - ctx->start_day);
}

static void convert_member(scn_ctx *ctx, const config_setting_t *g,
			   const coh_member *proto, coh_member *mb)
{
	static const char *const keys[] = {
		"id", "name", "power", "commitment", "baseline", "half_life",
		"adaptation_half_life", "sensitivity", "susceptibility",
		"freeze", "exit", "dwell", "recover", "aliases", "joins", NULL
	};
	const char *id = mb->id;
	*mb = *proto;
	mb->id = id;
	mb->file = scn_display_name(ctx, config_setting_source_file(g));
	mb->line = (int)config_setting_source_line(g);
	scn_check_keys(ctx, g, keys, NULL);
	mb->name = id;
	scn_get_string(ctx, g, "name", "a string", 0, &mb->name);
	scn_get_number(ctx, g, "power", SCN_POS, 1, &mb->power);
	scn_get_number(ctx, g, "commitment", SCN_UNIT, 1, &mb->commitment);
	mb->baseline = mb->commitment;
	read_params(ctx, g, mb, 0);
	read_joins(ctx, g, mb);
}

static void convert_actors(scn_ctx *ctx, const config_setting_t *root,
			   const coh_member *proto)
{
	static const char *const outsider_keys[] = {"id", "name", "aliases",
						    NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *members = scn_get_list(ctx, root, "members",
							1);
	const config_setting_t *outsiders = scn_get_list(ctx, root,
							  "outsiders", 0);
	if (members && config_setting_length(members) == 0)
		scn_error(ctx, members, "members must list at least one member");
	read_actor_ids(ctx, members, outsiders);
	if (ctx->nomem)
		return;
	size_t total = 0, n_aliases = 0;
	for (size_t i = 0; i < m->n_members; i++)
		total += count_aliases(config_setting_get_elem(members,
							       (unsigned)i));
	for (size_t i = 0; i < m->n_outsiders; i++)
		total += count_aliases(config_setting_get_elem(outsiders,
							       (unsigned)i));
	coh_alias *aliases = total ? scn_alloc(ctx, total, sizeof *aliases)
				   : NULL;
	for (size_t i = 0; i < m->n_members; i++) {
		const config_setting_t *g = config_setting_get_elem(members,
								    (unsigned)i);
		if (config_setting_is_group(g)) {
			convert_member(ctx, g, proto, &m->members[i]);
			read_aliases(ctx, g, aliases, &n_aliases, (int)i);
		}
	}
	for (size_t i = 0; i < m->n_outsiders; i++) {
		const config_setting_t *g = config_setting_get_elem(outsiders,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;
		scn_check_keys(ctx, g, outsider_keys, NULL);
		m->outsiders[i].name = m->outsiders[i].id;
		scn_get_string(ctx, g, "name", "a string", 0,
			       &m->outsiders[i].name);
		read_aliases(ctx, g, aliases, &n_aliases,
			     (int)(m->n_members + i));
	}
	m->aliases = aliases;
	m->n_aliases = n_aliases;
}

/*--- alliance, ties, affinities, output ---*/

static void convert_alliance(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"name", "leader", NULL};
	coh_model *m = &ctx->sc->model;
	m->alliance_name = "alliance";
	m->leader = -1;
	const config_setting_t *g = scn_get_group(ctx, root, "alliance", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	scn_get_string(ctx, g, "name", "a string", 0, &m->alliance_name);
	scn_get_member(ctx, g, "leader", 0, 0, &m->leader);
}

static void convert_ties(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"from", "to", "weight", NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *list = scn_get_list(ctx, root, "ties", 0);
	size_t n = scn_group_list(ctx, list, "{ ... }");
	m->ties = scn_alloc(ctx, n, sizeof *m->ties);
	scn_pairs seen;
	scn_pairs_alloc(ctx, &seen, n);
	if (!m->ties)
		return;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;
		scn_check_keys(ctx, g, keys, NULL);
		coh_tie t = {-1, -1, 0.0};
		int ok = scn_get_member(ctx, g, "from", 1, 0, &t.from) == SCN_OK;
		ok &= scn_get_member(ctx, g, "to", 1, 0, &t.to) == SCN_OK;
		ok &= scn_get_number(ctx, g, "weight", SCN_NONNEG, 1,
				     &t.weight) == SCN_OK;
		if (!ok)
			continue;
		int dup = scn_pairs_add(&seen, t.from, t.to, (int)m->n_ties);
		if (dup >= 0) {
			char where[SCN_PATH_MAX];
			scn_path(g, where, sizeof where);
			scn_error(ctx, g, "%s: duplicate tie from %s to %s, "
				  "already given by ties.[%d]", where,
				  m->members[t.from].id, m->members[t.to].id,
				  dup);
			continue;
		}
		/* Listing any tie makes the member's row explicit: the ties
		 * it does not list are 0 (docs/model.md section 1). */
		m->members[t.from].explicit_ties = 1;
		m->ties[m->n_ties++] = t;
	}
}

static void convert_affinities(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"member", "outsider", "value", NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *list = scn_get_list(ctx, root, "affinities",
						     0);
	size_t n = scn_group_list(ctx, list, "{ ... }");
	m->affinities = scn_alloc(ctx, n, sizeof *m->affinities);
	scn_pairs seen;
	scn_pairs_alloc(ctx, &seen, n);
	if (!m->affinities)
		return;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;
		scn_check_keys(ctx, g, keys, NULL);
		coh_affinity a = {-1, -1, 0.0};
		int ok = scn_get_member(ctx, g, "member", 1, 0,
					&a.member) == SCN_OK;
		ok &= scn_get_outsider(ctx, g, "outsider", 1,
				       &a.outsider) == SCN_OK;
		ok &= scn_get_number(ctx, g, "value", SCN_SIGNED_UNIT, 1,
				     &a.value) == SCN_OK;
		if (!ok)
			continue;
		int dup = scn_pairs_add(&seen, a.member, a.outsider,
					(int)m->n_affinities);
		if (dup >= 0) {
			char where[SCN_PATH_MAX];
			scn_path(g, where, sizeof where);
			scn_error(ctx, g, "%s: duplicate affinity of %s toward "
				  "%s, already given by affinities.[%d]", where,
				  m->members[a.member].id,
				  m->outsiders[a.outsider].id, dup);
			continue;
		}
		m->affinities[m->n_affinities++] = a;
	}
}

static void convert_output(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"sample_every", NULL};
	coh_model *m = &ctx->sc->model;
	m->sample_every = 7.0;
	const config_setting_t *g = scn_get_group(ctx, root, "output", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	if (scn_get_number(ctx, g, "sample_every", SCN_POS, 0,
			   &m->sample_every) == SCN_OK &&
	    ctx->have_dates &&
	    (double)(ctx->end_day - ctx->start_day) / m->sample_every >
		    SCN_MAX_STEPS)
		scn_error(ctx, scn_member(g, "sample_every"),
			  "output.sample_every = %g days gives more than %d "
			  "samples over the horizon; expected at least %g",
			  m->sample_every, SCN_MAX_STEPS,
			  (double)(ctx->end_day - ctx->start_day) /
				  SCN_MAX_STEPS);
}

/* The sweep block: axes as the command line writes them, checked for
 * form here (a path, '=', values); the sweep checks the values when it
 * loads each point. */
static void convert_sweep(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"vary", "design", "points", NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *g = scn_get_group(ctx, root, "sweep", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	const config_setting_t *v = scn_member(g, "vary");
	char where[SCN_PATH_MAX];
	if (!v) {
		scn_error(ctx, g, "sweep: missing vary, expected a list of "
			  "axes [\"PATH=lo:hi:n\", \"PATH=v1,v2\"]");
	} else if (!config_setting_is_array(v) && !config_setting_is_list(v)) {
		scn_path(v, where, sizeof where);
		scn_error(ctx, v, "%s must be an array of axes "
			  "[\"PATH=lo:hi:n\"], got %s", where,
			  scn_type_phrase(config_setting_type(v)));
	} else {
		int n = config_setting_length(v);
		const char **axes = scn_alloc(ctx, n > 0 ? (size_t)n : 1,
					      sizeof *axes);
		for (int i = 0; axes && i < n; i++) {
			const config_setting_t *e =
				config_setting_get_elem(v, (unsigned)i);
			const char *text = config_setting_get_string(e);
			scn_path(e, where, sizeof where);
			if (!text) {
				scn_error(ctx, e, "%s must be a string "
					  "\"PATH=lo:hi:n\", got %s", where,
					  scn_type_phrase(
						  config_setting_type(e)));
			} else if (!strchr(text, '=') || text[0] == '=' ||
				   !strchr(text, '=')[1]) {
				scn_error(ctx, e, "%s must be PATH=lo:hi:n or "
					  "PATH=v1,v2,..., got \"%s\"", where,
					  text);
			} else {
				axes[m->n_sweep_vary++] = scn_strdup(ctx, text);
			}
		}
		m->sweep_vary = axes;
		if (n == 0)
			scn_error(ctx, v, "sweep.vary is empty, expected at "
				  "least one axis");
	}
	const char *design;
	if (scn_get_string(ctx, g, "design", "grid, lhs or sobol", 0,
			   &design) == SCN_OK) {
		if (strcmp(design, "grid") != 0 && strcmp(design, "lhs") != 0 &&
		    strcmp(design, "sobol") != 0)
			scn_error(ctx, scn_member(g, "design"),
				  "sweep.design must be grid, lhs or sobol, "
				  "got \"%s\"", design);
		else
			m->sweep_design = design;
	}
	long long points;
	if (scn_get_integer(ctx, g, "points", 1, 0, &points) == SCN_OK)
		m->sweep_points = (uint64_t)points;
}

/* A list or array of strings at g.name into *out (n in *n), each passing
 * `ok`; `form` says what is expected.  Missing: nothing, unless
 * required. */
static void string_list(scn_ctx *ctx, const config_setting_t *g,
			const char *name, int required,
			int (*ok)(const char *), const char *form,
			const char *const **out, size_t *n_out)
{
	const config_setting_t *v = scn_member(g, name);
	char where[SCN_PATH_MAX];
	if (!v) {
		if (required)
			scn_error(ctx, g, "sensitivity: missing %s, expected "
				  "a list of strings %s", name, form);
		return;
	}
	scn_path(v, where, sizeof where);
	if (!config_setting_is_array(v) && !config_setting_is_list(v)) {
		scn_error(ctx, v, "%s must be a list of strings %s, got %s", where,
			  form, scn_type_phrase(config_setting_type(v)));
		return;
	}
	int n = config_setting_length(v);
	const char **items = scn_alloc(ctx, n > 0 ? (size_t)n : 1,
				       sizeof *items);
	size_t count = 0;
	for (int i = 0; items && i < n; i++) {
		const config_setting_t *e =
			config_setting_get_elem(v, (unsigned)i);
		const char *text = config_setting_get_string(e);
		scn_path(e, where, sizeof where);
		if (!text)
			scn_error(ctx, e, "%s must be a string %s, got %s",
				  where, form,
				  scn_type_phrase(config_setting_type(e)));
		else if (!ok(text))
			scn_error(ctx, e, "%s must be %s, got \"%s\"", where,
				  form, text);
		else
			items[count++] = scn_strdup(ctx, text);
	}
	if (n == 0) {
		scn_path(v, where, sizeof where);
		scn_error(ctx, v, "%s is empty, expected at least one", where);
	}
	*out = items;
	*n_out = count;
}

/* "PATH=LO:HI" or "PATH=LO:HI:log", by form; the command checks the
 * path and the numbers. */
static int factor_form(const char *t)
{
	const char *eq = strchr(t, '=');
	return eq && eq != t && strchr(eq + 1, ':') != NULL;
}

/* "KIND[:MEMBER]@WHEN", by form; the command parses it against the
 * model (kinds, members and dates). */
static int qoi_form(const char *t)
{
	const char *at = strchr(t, '@');
	return at && at != t && at[1];
}

/* The sensitivity block: the default analysis of `cohesim sensitivity`,
 * checked for form here; the command checks the factors and QoIs. */
static void convert_sensitivity(scn_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = {"factors", "qoi", "method",
					   "samples", "trajectories",
					   "levels", NULL};
	coh_model *m = &ctx->sc->model;
	const config_setting_t *g = scn_get_group(ctx, root, "sensitivity", 0);
	if (!g)
		return;
	scn_check_keys(ctx, g, keys, NULL);
	string_list(ctx, g, "factors", 1, factor_form,
		    "\"PATH=LO:HI\" or \"PATH=LO:HI:log\"",
		    &m->sens_factors, &m->n_sens_factors);
	string_list(ctx, g, "qoi", 0, qoi_form,
		    "\"KIND[:MEMBER]@WHEN\"", &m->sens_qoi,
		    &m->n_sens_qoi);
	const char *method;
	if (scn_get_string(ctx, g, "method", "sobol or morris", 0,
			   &method) == SCN_OK) {
		if (strcmp(method, "sobol") != 0 && strcmp(method, "morris") != 0)
			scn_error(ctx, scn_member(g, "method"),
				  "sensitivity.method must be sobol or morris, "
				  "got \"%s\"", method);
		else
			m->sens_method = method;
	}
	long long v;
	if (scn_get_integer(ctx, g, "samples", 2, 0, &v) == SCN_OK)
		m->sens_samples = (uint64_t)v;
	if (scn_get_integer(ctx, g, "trajectories", 2, 0, &v) == SCN_OK)
		m->sens_trajectories = (uint64_t)v;
	if (scn_get_integer(ctx, g, "levels", 2, 0, &v) == SCN_OK) {
		if (v % 2)
			scn_error(ctx, scn_member(g, "levels"),
				  "sensitivity.levels must be even (the jump "
				  "of P / (2 (P - 1)) lands on the grid only "
				  "then), got %lld", v);
		else
			m->sens_levels = (uint64_t)v;
	}
}

void scn_convert(scn_ctx *ctx)
{
	const config_setting_t *root = config_root_setting(&ctx->sc->cfg);
	coh_member proto;
	scn_check_keys(ctx, root, top_keys, NULL);
	convert_version(ctx, root);
	convert_scenario(ctx, root);
	convert_model(ctx, root, &proto);
	convert_actors(ctx, root, &proto);
	if (ctx->nomem)
		return;
	convert_alliance(ctx, root);
	convert_ties(ctx, root);
	convert_affinities(ctx, root);
	scn_convert_events(ctx, scn_get_list(ctx, root, "events", 0));
	scn_convert_generators(ctx, scn_get_list(ctx, root, "generators", 0));
	convert_output(ctx, root);
	convert_sweep(ctx, root);
	convert_sensitivity(ctx, root);
	scn_convert_calibration(ctx, root);
	/* What the file's rules passed must also pass the engine's contract:
	 * the same check a model built by hand gets, as a safety net that
	 * the two never drift apart. */
	if (ctx->n_msgs == 0 && !ctx->nomem) {
		coh_error err = {0};
		if (coh_model_check(&ctx->sc->model, &err))
			scn_error_at(ctx, err.file[0] ? err.file : ctx->main_name,
				     err.line, "%s", err.message);
	}
}
