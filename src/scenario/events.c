/* The scenario's timeline and generators: each event type with its own
 * keys (docs/model.md section 4), dates inside the scenario, responses inside
 * the window of the request they answer, and the timeline sorted by day
 * with file order kept among events of the same day. */
#include "internal.h"
#include "cohesim/date.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the keys of any kind: the common ones, five slots, and the
 * extras of a request (or of a generator) and a `set`. */
#define MAX_KEYS 20

static void add_slot(const char **keys, size_t *n, coh_event_slot slot)
{
	if (slot.key)
		keys[(*n)++] = slot.key;
}

/* The keys a timeline line of this kind takes (no others), NULL-ended:
 * date, type, note, source, label, the kind's slots and its extras. */
static void event_keys(const coh_event_kind *k, const char **keys)
{
	static const char *const common[] = {
		"date", "type", "note", "source", "label"
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof common / sizeof *common; i++)
		keys[n++] = common[i];
	add_slot(keys, &n, k->actor);
	add_slot(keys, &n, k->target);
	add_slot(keys, &n, k->outsider);
	add_slot(keys, &n, k->list);
	add_slot(keys, &n, k->magnitude);
	if (k->flags & COH_KIND_REQUEST) {
		keys[n++] = "deadline";
		keys[n++] = "in_scope";
		keys[n++] = "answers";
	}
	if (k->flags & COH_KIND_SET)
		keys[n++] = "field";
	keys[n] = NULL;
}

static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/* Reports the keys of g that are not in keys, naming the entry as "PATH
 * (a TYPE<what>)".  The message's text is built only when a key is
 * unknown: a sweep's check converts every point's events. */
static void check_keys(scn_ctx *ctx, const config_setting_t *g,
		       const char *const *keys, coh_event_type type,
		       const char *what)
{
	if (scn_keys_known(g, keys))
		return;
	char entry[SCN_PATH_MAX + 96];
	scn_path(g, entry, SCN_PATH_MAX);
	size_t n = strlen(entry);
	const char *name = coh_model_type_name(&ctx->sc->model, type);
	snprintf(entry + n, sizeof entry - n, " (%s %s%s)", article(name), name,
		 what);
	scn_check_keys(ctx, g, keys, entry);
}

static void timeline_refusal(char *buf, size_t size)
{
	snprintf(buf, size, "is not a timeline event type (the engine "
		 "generates it)");
}

/* Reads `type` and resolves it among `allowed` (a flag per type); reports
 * an unknown type with a hint, and a known one that is not allowed with
 * the text refusal() writes.  Returns the type or -1.  Messages are built
 * only on error: a sweep's check converts every point's events. */
static int read_type(scn_ctx *ctx, const config_setting_t *g,
		     const unsigned char *allowed,
		     void (*refusal)(char *buf, size_t size))
{
	const char *name;
	if (scn_get_string(ctx, g, "type", "an event type name", 1, &name) !=
	    SCN_OK)
		return -1;
	int t = coh_event_type_lookup(name);
	if (t >= 0 && allowed[t])
		return t;
	int u = scn_user_kind(ctx, name);
	if (t < 0 && u >= 0)
		return (int)COH_EV_USER(u);     /* timeline or generator */
	const config_setting_t *s = scn_member(g, "type");
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	if (t >= 0) {
		char why[400];
		refusal(why, sizeof why);
		scn_error(ctx, s, "%s: \"%s\" %s", where, name, why);
		return -1;
	}
	scn_suggest sg;
	scn_suggest_init(&sg, name);
	for (int k = 0; k < COH_EV__COUNT; k++)
		if (allowed[k])
			scn_suggest_try(&sg, coh_event_type_name(k));
	for (size_t k = 0; k < ctx->sc->model.n_user_kinds; k++)
		scn_suggest_try(&sg, ctx->sc->model.user_kinds[k].kind.name);
	if (sg.best)
		scn_error(ctx, s, "%s: unknown event type \"%s\" (did you mean "
			  "\"%s\"?)", where, name, sg.best);
	else
		scn_error(ctx, s, "%s: unknown event type \"%s\"", where, name);
	return -1;
}

/*--- Event types declared by the scenario (model.event_types) ---*/

int scn_user_kind(const scn_ctx *ctx, const char *name)
{
	const coh_model *m = &ctx->sc->model;
	for (size_t k = 0; k < m->n_user_kinds; k++)
		if (strcmp(m->user_kinds[k].kind.name, name) == 0)
			return (int)k;
	return -1;
}

/* A type's name: a lower-case word that names no built-in type or weight
 * key (a weight key would be ambiguous in model.weights). */
static void check_type_name(scn_ctx *ctx, const config_setting_t *s,
			    const char *name)
{
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	size_t n = strlen(name);
	if (n == 0 || n > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
				       "0123456789_") != n ||
	    !strchr("abcdefghijklmnopqrstuvwxyz", name[0]))
		scn_error(ctx, s, "%s: \"%s\" is not a type name, expected a "
			  "lower-case word of letters, digits and _ (at most 40, "
			  "starting with a letter)", where, name);
	else if (coh_event_type_lookup(name) >= 0)
		scn_error(ctx, s, "%s: \"%s\" is a built-in event type, "
			  "expected a name of the scenario's own", where, name);
	else if (coh_weight_key_lookup(name) >= 0)
		scn_error(ctx, s, "%s: \"%s\" is a built-in weight key, "
			  "expected a name of the scenario's own", where, name);
	else if (scn_user_kind(ctx, name) >= 0)
		scn_error(ctx, s, "%s: \"%s\" is declared twice, expected "
			  "each type once", where, name);
}

static void convert_event_type(scn_ctx *ctx, const config_setting_t *g,
			       coh_user_kind *u)
{
	static const char *const keys[] = {
		"name", "weight", "spillover", "receives", "cameo", "note", NULL
	};
	coh_event_kind *k = &u->kind;
	memset(u, 0, sizeof *u);
	u->file = scn_display_name(ctx, config_setting_source_file(g));
	u->line = (int)config_setting_source_line(g);
	scn_check_keys(ctx, g, keys, NULL);
	k->name = "";
	if (scn_get_string(ctx, g, "name", "a type name", 1, &k->name) == SCN_OK)
		check_type_name(ctx, scn_member(g, "name"), k->name);
	scn_get_number(ctx, g, "weight", SCN_SIGNED_UNIT, 1, &u->weight);
	scn_get_number(ctx, g, "spillover", SCN_UNIT, 0, &u->spillover);
	const char *who = "by";
	int r = COH_RECEIVES_BY;
	if (scn_get_string(ctx, g, "receives", "by, target, both, others or "
			   "all", 1, &who) == SCN_OK) {
		r = coh_receiver_lookup(who);
		if (r < 0) {
			const config_setting_t *s = scn_member(g, "receives");
			char where[SCN_PATH_MAX];
			scn_path(s, where, sizeof where);
			scn_error(ctx, s, "%s: unknown receiver \"%s\", expected "
				  "by, target, both, others or all", where, who);
			r = COH_RECEIVES_BY;
		}
	}
	scn_get_string(ctx, g, "cameo", "a string", 0, &k->cameo);
	k->flags = COH_KIND_TIMELINE;
	k->actor = (coh_event_slot){"by", COH_NEED_REQUIRED};
	int needs_target = r == COH_RECEIVES_TARGET || r == COH_RECEIVES_BOTH;
	k->target = (coh_event_slot){"target", needs_target ? COH_NEED_REQUIRED
							    : COH_NEED_OPTIONAL};
	k->outsider = (coh_event_slot){"with", COH_NEED_OPTIONAL};
	k->list = (coh_event_slot){NULL, COH_NEED_NONE};
	k->magnitude = (coh_event_slot){"magnitude", COH_NEED_OPTIONAL};
	k->range = COH_RANGE_NONNEG;
	k->per = 1;
	k->receives = (coh_receiver)r;
	k->weight = -1;
	k->generated_as = COH_GEN_BY;
	k->effect = "each receiver takes omega * m * s, with its spillover";
}

void scn_convert_event_types(scn_ctx *ctx, const config_setting_t *list)
{
	coh_model *m = &ctx->sc->model;
	size_t n = scn_group_list(ctx, list, "{ name = ...; weight = ...; "
				  "receives = ...; }");
	coh_user_kind *kinds = scn_alloc(ctx, n, sizeof *kinds);
	if (!kinds)
		return;
	m->user_kinds = kinds;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;       /* reported by scn_group_list */
		/* checked against the ones before it, then counted */
		convert_event_type(ctx, g, &kinds[m->n_user_kinds]);
		m->n_user_kinds++;
	}
}

int scn_read_day(scn_ctx *ctx, const config_setting_t *g, const char *key,
		    int required, double *out)
{
	int64_t day;
	int rc = scn_get_date(ctx, g, key, required, &day);
	if (rc != SCN_OK || !ctx->have_dates)
		return rc == SCN_OK ? SCN_BAD : rc;
	if (day < ctx->start_day || day > ctx->end_day) {
		const config_setting_t *s = scn_member(g, key);
		char where[SCN_PATH_MAX], a[16], b[16];
		scn_path(s, where, sizeof where);
		coh_date_format(a, sizeof a, day);
		coh_date_format(b, sizeof b, day < ctx->start_day ?
				ctx->start_day : ctx->end_day);
		scn_error(ctx, s, "%s %s is %s the scenario's %s %s, expected a "
			  "date within the scenario", where, a,
			  day < ctx->start_day ? "before" : "after",
			  day < ctx->start_day ? "start" : "end", b);
		return SCN_BAD;
	}
	*out = (double)(day - ctx->start_day);
	return SCN_OK;
}

/* The members listed under `key` (array or list of ids), appended to the
 * model's lists; no id twice.  Returns the count. */
static size_t read_members(scn_ctx *ctx, const config_setting_t *g,
			   const char *key, int required, size_t room)
{
	coh_model *m = &ctx->sc->model;
	const config_setting_t *s = scn_member(g, key);
	char where[SCN_PATH_MAX];
	if (!s) {
		if (required) {
			scn_path(g, where, sizeof where);
			scn_error(ctx, g, "%s: missing %s, expected an array of "
				  "member ids [\"A\", \"B\"]", where, key);
		}
		return 0;
	}
	scn_path(s, where, sizeof where);
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		scn_error(ctx, s, "%s must be an array of member ids "
			  "[\"A\", \"B\"], got %s", where,
			  scn_type_phrase(config_setting_type(s)));
		return 0;
	}
	size_t first = m->n_lists, count = 0;
	int n = config_setting_length(s);
	for (int i = 0; i < n && count < room; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
								    (unsigned)i);
		int idx;
		if (scn_member_of(ctx, e, &idx) != SCN_OK)
			continue;
		int dup = 0;
		for (size_t j = 0; j < count; j++)
			dup |= m->lists[first + j] == idx;
		if (dup) {
			scn_error(ctx, e, "%s: \"%s\" is listed twice", where,
				  m->members[idx].id);
			continue;
		}
		m->lists[first + count++] = idx;
	}
	m->n_lists += count;
	return count;
}

/* The member, target, outsider and list of an event, as its kind names
 * them (docs/model.md section 4 and model.h). */
static void read_parties(scn_ctx *ctx, const config_setting_t *g,
			 const coh_event_kind *k, coh_event *e, size_t room)
{
	coh_model *m = &ctx->sc->model;
	int actor = SCN_ABSENT;
	if (k->actor.key)
		actor = scn_get_member(ctx, g, k->actor.key,
				       k->actor.need == COH_NEED_REQUIRED, 0,
				       &e->actor);
	if (k->target.key)
		scn_get_member(ctx, g, k->target.key,
			       k->target.need == COH_NEED_REQUIRED, 0, &e->target);
	if (k->outsider.key)
		scn_get_outsider(ctx, g, k->outsider.key,
				 k->outsider.need == COH_NEED_REQUIRED,
				 &e->outsider);
	if (!k->list.key)
		return;
	e->list_first = m->n_lists;
	e->list_count = read_members(ctx, g, k->list.key,
				     k->list.need == COH_NEED_REQUIRED, room);
	if (!(k->flags & COH_KIND_HOST_LISTED) || actor != SCN_OK)
		return;
	/* The host takes part in its own exercise. */
	int listed = 0;
	for (size_t j = 0; j < e->list_count; j++)
		listed |= m->lists[e->list_first + j] == e->actor;
	if (!listed && e->list_count < room) {
		m->lists[m->n_lists++] = e->actor;
		e->list_count++;
	}
}

/* No member answers its own request, and no member disputes (or meets
 * any type received by both parties) with itself. */
static void check_not_self(scn_ctx *ctx, const config_setting_t *g,
			   const coh_event_kind *k, const coh_event *e)
{
	int both = k->receives == COH_RECEIVES_BOTH;
	if ((e->type != COH_EV_ASSISTANCE_RESPONSE && !both) || e->actor < 0 ||
	    e->actor != e->target)
		return;
	const config_setting_t *s = scn_member(g, k->target.key);
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	if (both)       /* a dispute, or a declared type received by both */
		scn_error(ctx, s, "%s: %s is also the event's %s, expected "
			  "another member", where,
			  ctx->sc->model.members[e->actor].id, k->actor.key);
	else
		scn_error(ctx, s, "%s: %s cannot answer its own request, "
			  "expected another member", where,
			  ctx->sc->model.members[e->actor].id);
}

/* A request's deadline and scope, shared by timelines and generators. */
static void read_request(scn_ctx *ctx, const config_setting_t *g,
			 double *deadline, int *in_scope)
{
	*deadline = 30.0;
	scn_get_number(ctx, g, "deadline", SCN_POS, 0, deadline);
	scn_get_bool(ctx, g, "in_scope", in_scope);
}

/* How a timeline request is answered: "scripted" (the default) or
 * "drawn". */
static void read_answers(scn_ctx *ctx, const config_setting_t *g,
			 coh_event *e)
{
	const char *answers;
	if (scn_get_string(ctx, g, "answers", "", 0, &answers) != SCN_OK)
		return;
	if (strcmp(answers, "drawn") == 0) {
		e->drawn_answers = 1;
	} else if (strcmp(answers, "scripted") != 0) {
		const config_setting_t *s = scn_member(g,
								      "answers");
		char where[SCN_PATH_MAX];
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s must be \"scripted\" or \"drawn\", got "
			  "\"%s\"", where, answers);
	}
}

/* The magnitude as the kind writes it (severity, level, tone, delta,
 * magnitude), stored divided by the kind's `per`; default 1. */
static void read_magnitude(scn_ctx *ctx, const config_setting_t *g,
			   const coh_event_kind *k, double *magnitude)
{
	double v = *magnitude;
	if (k->magnitude.key &&
	    scn_get_number(ctx, g, k->magnitude.key, k->range,
			   k->magnitude.need == COH_NEED_REQUIRED, &v) == SCN_OK)
		*magnitude = k->per == 1 ? v : v / k->per;
}

/* A `set` event's field and the value, in that field's range. */
static void read_set_field(scn_ctx *ctx, const config_setting_t *g,
			   const coh_event_kind *k, coh_event *e)
{
	const char *field;
	int f = -1;
	if (scn_get_string(ctx, g, "field", "a member field name", 1, &field) ==
	    SCN_OK) {
		f = coh_member_field_lookup(field);
		if (f < 0) {
			const config_setting_t *s =
				scn_member(g, "field");
			char where[SCN_PATH_MAX];
			scn_path(s, where, sizeof where);
			scn_suggest sg;
			scn_suggest_init(&sg, field);
			for (int i = 0; i < COH_FIELD__COUNT; i++)
				scn_suggest_try(&sg, coh_member_field_name(i));
			if (sg.best)
				scn_error(ctx, s, "%s: unknown member field "
					  "\"%s\" (did you mean \"%s\"?)", where,
					  field, sg.best);
			else
				scn_error(ctx, s, "%s: unknown member field "
					  "\"%s\", expected one of baseline, "
					  "sensitivity, half_life, "
					  "adaptation_half_life, susceptibility, "
					  "freeze, exit, dwell, recover", where,
					  field);
		}
	}
	if (f >= 0) {
		e->field = (coh_member_field)f;
		scn_get_number(ctx, g, k->magnitude.key,
			       coh_member_field_range(e->field), 1,
			       &e->magnitude);
	} else {
		double ignored;
		scn_get_number(ctx, g, k->magnitude.key, SCN_ANY, 1, &ignored);
	}
}

/* The fields of one event, as its kind describes them. */
static void event_fields(scn_ctx *ctx, const config_setting_t *g,
			 coh_event *e, size_t room)
{
	const coh_event_kind *k = coh_model_kind(&ctx->sc->model, e->type);
	read_parties(ctx, g, k, e, room);
	check_not_self(ctx, g, k, e);
	if (k->flags & COH_KIND_REQUEST)
		read_request(ctx, g, &e->deadline, &e->in_scope);
	if (k->flags & COH_KIND_SET)
		read_set_field(ctx, g, k, e);
	else
		read_magnitude(ctx, g, k, &e->magnitude);
	if (k->flags & COH_KIND_REQUEST)
		read_answers(ctx, g, e);
}

static void convert_event(scn_ctx *ctx, const config_setting_t *g,
			  coh_event *e, size_t room)
{
	unsigned char timeline[COH_EV__COUNT];
	for (int t = 0; t < COH_EV__COUNT; t++)
		timeline[t] = (coh_event_kind_info((coh_event_type)t)->flags &
			       COH_KIND_TIMELINE) != 0;
	memset(e, 0, sizeof *e);
	e->actor = e->target = e->outsider = -1;
	e->magnitude = 1.0;
	e->in_scope = 1;
	e->file = scn_display_name(ctx, g->file);
	e->line = (int)config_setting_source_line(g);

	int type = read_type(ctx, g, timeline, timeline_refusal);
	scn_read_day(ctx, g, "date", 1, &e->day);
	scn_get_string(ctx, g, "note", "a string", 0, &e->note);
	scn_get_string(ctx, g, "source", "a string", 0, &e->source);
	scn_get_string(ctx, g, "label", "a short string", 0, &e->label);
	if (type < 0)
		return;   /* its other keys cannot be judged */
	e->type = (coh_event_type)type;
	const char *keys[MAX_KEYS];
	event_keys(coh_model_kind(&ctx->sc->model, e->type), keys);
	check_keys(ctx, g, keys, e->type, "");
	event_fields(ctx, g, e, room);
}

/* A response counts for a request by the member it answers if it falls in
 * [t, t + deadline]; on the request's own day it must come after it in the
 * file, since equal days keep file order. */
static void check_responses(scn_ctx *ctx, const config_setting_t *list,
			    const coh_event *ev, size_t n)
{
	coh_model *m = &ctx->sc->model;
	for (size_t j = 0; j < n; j++) {
		const coh_event *r = &ev[j];
		if (r->type != COH_EV_ASSISTANCE_RESPONSE || r->actor < 0 ||
		    r->target < 0)
			continue;
		int found = 0;
		for (size_t i = 0; i < n && !found; i++) {
			const coh_event *q = &ev[i];
			found = q->type == COH_EV_ASSISTANCE_REQUEST &&
				q->actor == r->target && q->day <= r->day &&
				r->day <= q->day + q->deadline &&
				(q->day < r->day || i < j);
		}
		if (found)
			continue;
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)j);
		char where[SCN_PATH_MAX], date[16];
		scn_path(g, where, sizeof where);
		coh_date_format(date, sizeof date,
				ctx->start_day + (int64_t)r->day);
		scn_error(ctx, g, "%s: the assistance_response by %s to %s on %s "
			  "answers no assistance_request by %s, expected one "
			  "made on or before that day whose deadline has not "
			  "passed", where, m->members[r->actor].id,
			  m->members[r->target].id, date,
			  m->members[r->target].id);
	}
}

/* A withdrawal needs a member of the moment: one dated before the
 * member's `joins` would withdraw a candidate, and a second withdrawal of
 * a member would withdraw one that has left already.  Both are decidable
 * here, so both are errors (at the line of the later event's date). */
static void check_withdrawals(scn_ctx *ctx, const config_setting_t *list,
			      const coh_event *ev, size_t n)
{
	coh_model *m = &ctx->sc->model;
	for (size_t j = 0; j < n; j++) {
		const coh_event *w = &ev[j];
		if (w->type != COH_EV_WITHDRAWAL || w->actor < 0)
			continue;
		const coh_member *mb = &m->members[w->actor];
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)j);
		const config_setting_t *s = scn_member(g, "date");
		char where[SCN_PATH_MAX], date[16], other[16];
		scn_path(s ? s : g, where, sizeof where);
		coh_date_format(date, sizeof date,
				ctx->start_day + (int64_t)w->day);
		if (w->day < mb->joins) {
			coh_date_format(other, sizeof other,
					ctx->start_day + (int64_t)mb->joins);
			scn_error(ctx, s ? s : g, "%s: %s withdraws on %s but "
				  "joins only on %s, expected a date on or "
				  "after it joins", where, mb->id, date, other);
			continue;
		}
		/* the earlier withdrawal: earlier day, or same day earlier
		 * in the file */
		for (size_t i = 0; i < n; i++) {
			const coh_event *v = &ev[i];
			if (i == j || v->type != COH_EV_WITHDRAWAL ||
			    v->actor != w->actor ||
			    !(v->day < w->day || (v->day == w->day && i < j)))
				continue;
			coh_date_format(other, sizeof other,
					ctx->start_day + (int64_t)v->day);
			scn_error(ctx, s ? s : g, "%s: %s withdraws on %s but "
				  "has already withdrawn on %s (line %d), "
				  "expected one withdrawal per member", where,
				  mb->id, date, other, v->line);
			break;
		}
	}
}

typedef struct keyed_event {
	coh_event ev;
	size_t seq;
} keyed_event;

static int by_day(const void *a, const void *b)
{
	const keyed_event *x = a, *y = b;
	if (x->ev.day != y->ev.day)
		return x->ev.day < y->ev.day ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by day, file order kept at equal days (qsort is not stable, so
 * the file position is part of the key). */
static void sort_events(scn_ctx *ctx, coh_event *ev, size_t n)
{
	keyed_event *tmp = coh_calloc(n ? n : 1, sizeof *tmp);
	if (!tmp) {
		ctx->nomem = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		tmp[i].ev = ev[i];
		tmp[i].seq = i;
	}
	qsort(tmp, n, sizeof *tmp, by_day);
	for (size_t i = 0; i < n; i++)
		ev[i] = tmp[i].ev;
	coh_free(tmp);
}

void scn_convert_events(scn_ctx *ctx, const config_setting_t *list)
{
	coh_model *m = &ctx->sc->model;
	size_t n = scn_group_list(ctx, list, "{ date = ...; type = ...; ... }");
	/* Room for every listed id, plus a host per event. */
	size_t room = 0;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;
		const char *keys[] = {"participants", "absent"};
		for (int k = 0; k < 2; k++) {
			const config_setting_t *s =
				scn_member(g, keys[k]);
			if (s && config_setting_is_aggregate(s))
				room += (size_t)config_setting_length(s);
		}
		room++;
	}
	m->events = scn_alloc(ctx, n, sizeof *m->events);
	m->lists = scn_alloc(ctx, room, sizeof *m->lists);
	if (!m->events || !m->lists)
		return;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;       /* reported by scn_group_list */
		convert_event(ctx, g, &m->events[m->n_events],
			      room - m->n_lists);
		m->n_events++;
	}
	/* Every slot was filled (in file order) unless an entry was not a
	 * group, which is an error anyway. */
	if (m->n_events == n && ctx->have_dates) {
		check_responses(ctx, list, m->events, n);
		check_withdrawals(ctx, list, m->events, n);
	}
	sort_events(ctx, m->events, m->n_events);
}

/*--- Generators ---*/

/* The keys a generator of this kind takes: its own, the kind's outsider
 * and magnitude, and a request's deadline and scope; NULL-ended. */
static void generator_keys(const coh_event_kind *k, const char **keys)
{
	static const char *const common[] = {
		"type", "by", "rate", "feedback", "start", "end"
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof common / sizeof *common; i++)
		keys[n++] = common[i];
	add_slot(keys, &n, k->outsider);
	if (k->generated_as == COH_GEN_BY)
		add_slot(keys, &n, k->target);
	add_slot(keys, &n, k->magnitude);
	if (k->flags & COH_KIND_REQUEST) {
		keys[n++] = "deadline";
		keys[n++] = "in_scope";
	}
	if (k->magnitude.key) {
		keys[n++] = "draw";
		keys[n++] = "low";
		keys[n++] = "high";
		keys[n++] = "sd";
	}
	if (k->generated_as == COH_GEN_ABSENT) {
		keys[n++] = "absences";
		keys[n++] = "absence_mid";
		keys[n++] = "absence_slope";
	}
	keys[n] = NULL;
}

/* The bounds of a range as stored (divided by per): where a normal draw
 * is clamped unless the generator gives low and high. */
static void range_bounds(const coh_event_kind *k, double *lo, double *hi)
{
	*lo = -HUGE_VAL;
	*hi = HUGE_VAL;
	switch (k->range) {
	case COH_RANGE_NONNEG: case COH_RANGE_POS: *lo = 0; break;
	case COH_RANGE_UNIT: *lo = 0; *hi = 1; break;
	case COH_RANGE_SIGNED_UNIT: *lo = -1; *hi = 1; break;
	case COH_RANGE_TONE: *lo = -10; *hi = 10; break;
	default: break;
	}
	*lo /= k->per;
	*hi /= k->per;
}

/* How a generator draws its magnitude: draw = "fixed" (the default),
 * "uniform" (low and high required) or "normal" (sd required; the
 * magnitude key is the mean; low and high, by default the kind's range,
 * clamp it).  low, high and sd are written in the magnitude's units. */
static void read_draw(scn_ctx *ctx, const config_setting_t *g,
		      const coh_event_kind *k, coh_generator *gen)
{
	const char *draw = "fixed";
	scn_get_string(ctx, g, "draw", "", 0, &draw);
	char where[SCN_PATH_MAX];
	if (strcmp(draw, "uniform") == 0) {
		gen->draw = COH_DRAW_UNIFORM;
	} else if (strcmp(draw, "normal") == 0) {
		gen->draw = COH_DRAW_NORMAL;
	} else if (strcmp(draw, "fixed") != 0) {
		const config_setting_t *s = scn_member(g, "draw");
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s must be \"fixed\", \"uniform\" or "
			  "\"normal\", got \"%s\"", where, draw);
		return;
	}
	static const char *const extra[] = {"low", "high", "sd"};
	if (gen->draw == COH_DRAW_FIXED) {
		for (int i = 0; i < 3; i++) {
			const config_setting_t *s = scn_member(g, extra[i]);
			if (!s)
				continue;
			scn_path(s, where, sizeof where);
			scn_error(ctx, s, "%s is used only when the magnitude is "
				  "drawn, expected draw = \"uniform\" or "
				  "\"normal\" beside it", where);
		}
		return;
	}
	double lo, hi, per = k->per;
	range_bounds(k, &lo, &hi);
	lo *= per;
	hi *= per;
	int uniform = gen->draw == COH_DRAW_UNIFORM;
	int rl = scn_get_number(ctx, g, "low", k->range, uniform, &lo);
	int rh = scn_get_number(ctx, g, "high", k->range, uniform, &hi);
	if (uniform) {
		const config_setting_t *s = scn_member(g, "sd");
		if (s) {
			scn_path(s, where, sizeof where);
			scn_error(ctx, s, "%s is used only by draw = \"normal\", "
				  "expected low and high alone for a uniform "
				  "draw", where);
		}
	} else {
		double sd = 0;
		if (scn_get_number(ctx, g, "sd", SCN_NONNEG, 1, &sd) == SCN_OK)
			gen->sd = sd / per;
	}
	if (rl != SCN_BAD && rh != SCN_BAD && !(lo <= hi)) {
		const config_setting_t *s = scn_member(g, "high");
		if (!s)
			s = scn_member(g, "low");
		scn_path(g, where, sizeof where);
		scn_error(ctx, s ? s : g, "%s: low %g is above high %g, expected "
			  "low <= high", where, lo, hi);
	}
	gen->low = lo / per;
	gen->high = hi / per;
}

/* A summit generator's absences: "by" (the default: the member stays
 * away from a summit of the others) or "drawn" (the member hosts, and
 * each other active member stays away with probability
 * 1 / (1 + exp(absence_slope * (c - absence_mid)))). */
static void read_absences(scn_ctx *ctx, const config_setting_t *g,
			  coh_generator *gen)
{
	const char *mode = "by";
	char where[SCN_PATH_MAX];
	scn_get_string(ctx, g, "absences", "", 0, &mode);
	if (strcmp(mode, "drawn") == 0) {
		gen->absences = 1;
	} else if (strcmp(mode, "by") != 0) {
		const config_setting_t *s = scn_member(g, "absences");
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s must be \"by\" or \"drawn\", got \"%s\"",
			  where, mode);
		return;
	}
	gen->absence_mid = 0.5;
	gen->absence_slope = 10.0;
	if (gen->absences) {
		scn_get_number(ctx, g, "absence_mid", SCN_UNIT, 0,
			       &gen->absence_mid);
		scn_get_number(ctx, g, "absence_slope", SCN_NONNEG, 0,
			       &gen->absence_slope);
		return;
	}
	static const char *const extra[] = {"absence_mid", "absence_slope"};
	for (int i = 0; i < 2; i++) {
		const config_setting_t *s = scn_member(g, extra[i]);
		if (!s)
			continue;
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s is used only when absences are drawn, "
			  "expected absences = \"drawn\" beside it", where);
	}
}

/* Whether each type can be generated, from the kinds. */
static void generable(unsigned char *allowed)
{
	for (int t = 0; t < COH_EV__COUNT; t++)
		allowed[t] = coh_event_kind_info((coh_event_type)t)->generated_as
			     != COH_GEN_NEVER;
}

/* "cannot be generated, expected a, b, ... or z", from the kinds. */
static void generator_refusal(char *buf, size_t size)
{
	unsigned char allowed[COH_EV__COUNT];
	generable(allowed);
	int count = 0, seen = 0;
	for (int t = 0; t < COH_EV__COUNT; t++)
		count += allowed[t];
	size_t n = (size_t)snprintf(buf, size, "cannot be generated, expected");
	for (int t = 0; t < COH_EV__COUNT && n < size; t++) {
		if (!allowed[t])
			continue;
		seen++;
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      seen == 1 ? " " : seen == count ? " or "
								      : ", ",
				      coh_event_type_name((coh_event_type)t));
	}
}

static void convert_generator(scn_ctx *ctx, const config_setting_t *g,
			      coh_generator *gen)
{
	unsigned char allowed[COH_EV__COUNT];
	generable(allowed);
	memset(gen, 0, sizeof *gen);
	gen->member = gen->outsider = -1;
	gen->magnitude = 1.0;
	gen->in_scope = 1;
	gen->file = scn_display_name(ctx, config_setting_source_file(g));
	gen->line = (int)config_setting_source_line(g);
	gen->start = 0.0;
	gen->end = ctx->sc->model.horizon;

	gen->target = -1;
	int type = read_type(ctx, g, allowed, generator_refusal);
	scn_get_member(ctx, g, "by", 1, 1, &gen->member);
	if (scn_get_number(ctx, g, "rate", SCN_NONNEG, 1, &gen->rate) ==
		    SCN_OK && gen->rate > SCN_MAX_RATE)
	{
		const config_setting_t *r = scn_member(g, "rate");
		char where[SCN_PATH_MAX];
		scn_path(r, where, sizeof where);
		scn_error(ctx, r, "%s must be at most %g events a year, got %g",
			  where, SCN_MAX_RATE, gen->rate);
	}
	scn_get_number(ctx, g, "feedback", SCN_ANY, 0, &gen->feedback);
	int have_start = scn_read_day(ctx, g, "start", 0, &gen->start);
	int have_end = scn_read_day(ctx, g, "end", 0, &gen->end);
	if (have_start == SCN_OK && have_end == SCN_OK &&
	    gen->end < gen->start) {
		const config_setting_t *s = scn_member(g, "end");
		char where[SCN_PATH_MAX];
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s must not be before the generator's start",
			  where);
	}
	if (type < 0)
		return;
	gen->type = (coh_event_type)type;
	const coh_event_kind *k = coh_model_kind(&ctx->sc->model, gen->type);
	const char *keys[MAX_KEYS];
	generator_keys(k, keys);
	check_keys(ctx, g, keys, gen->type, " generator");
	if (k->outsider.key)
		scn_get_outsider(ctx, g, k->outsider.key,
				 k->outsider.need == COH_NEED_REQUIRED,
				 &gen->outsider);
	if (k->target.key && k->generated_as == COH_GEN_BY &&
	    scn_get_member(ctx, g, k->target.key,
			   k->target.need == COH_NEED_REQUIRED, 0,
			   &gen->target) == SCN_OK &&
	    gen->target == gen->member) {
		/* with by = "*", the target's own instance never fires */
		const config_setting_t *s = scn_member(g, k->target.key);
		char where[SCN_PATH_MAX];
		scn_path(s, where, sizeof where);
		scn_error(ctx, s, "%s: %s is also the generator's by, expected "
			  "another member (or by = \"*\")", where,
			  ctx->sc->model.members[gen->member].id);
	}
	read_magnitude(ctx, g, k, &gen->magnitude);
	if (k->flags & COH_KIND_REQUEST)
		read_request(ctx, g, &gen->deadline, &gen->in_scope);
	if (k->magnitude.key)
		read_draw(ctx, g, k, gen);
	if (k->generated_as == COH_GEN_ABSENT)
		read_absences(ctx, g, gen);
}

void scn_convert_generators(scn_ctx *ctx, const config_setting_t *list)
{
	coh_model *m = &ctx->sc->model;
	size_t n = scn_group_list(ctx, list, "{ type = ...; ... }");
	m->generators = scn_alloc(ctx, n, sizeof *m->generators);
	if (!m->generators)
		return;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list,
								    (unsigned)i);
		if (!config_setting_is_group(g))
			continue;       /* reported by scn_group_list */
		convert_generator(ctx, g, &m->generators[m->n_generators++]);
	}
}
