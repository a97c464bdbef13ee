/* The scenario's timeline and generators: each event type with its own
 * keys (docs/model.md section 4), dates inside the scenario, responses inside
 * the window of the request they answer, and the timeline sorted by day
 * with file order kept among events of the same day. */
#include "internal.h"
#include "cohesim/date.h"
#include "core/alloc.h"

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
	char entry[SCN_PATH_MAX + 48];
	scn_path(g, entry, SCN_PATH_MAX);
	size_t n = strlen(entry);
	snprintf(entry + n, sizeof entry - n, " (%s %s%s)",
		 article(coh_event_type_name(type)), coh_event_type_name(type),
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
	if (sg.best)
		scn_error(ctx, s, "%s: unknown event type \"%s\" (did you mean "
			  "\"%s\"?)", where, name, sg.best);
	else
		scn_error(ctx, s, "%s: unknown event type \"%s\"", where, name);
	return -1;
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

/* No member answers its own request. */
static void check_not_self(scn_ctx *ctx, const config_setting_t *g,
			   const coh_event_kind *k, const coh_event *e)
{
	if (e->type != COH_EV_ASSISTANCE_RESPONSE || e->actor < 0 ||
	    e->actor != e->target)
		return;
	const config_setting_t *s = scn_member(g, k->target.key);
	char where[SCN_PATH_MAX];
	scn_path(s, where, sizeof where);
	scn_error(ctx, s, "%s: %s cannot answer its own request, expected "
		  "another member", where, ctx->sc->model.members[e->actor].id);
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
	const coh_event_kind *k = coh_event_kind_info(e->type);
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
	event_keys(coh_event_kind_info(e->type), keys);
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
	add_slot(keys, &n, k->magnitude);
	if (k->flags & COH_KIND_REQUEST) {
		keys[n++] = "deadline";
		keys[n++] = "in_scope";
	}
	keys[n] = NULL;
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
	const coh_event_kind *k = coh_event_kind_info(gen->type);
	const char *keys[MAX_KEYS];
	generator_keys(k, keys);
	check_keys(ctx, g, keys, gen->type, " generator");
	if (k->outsider.key)
		scn_get_outsider(ctx, g, k->outsider.key,
				 k->outsider.need == COH_NEED_REQUIRED,
				 &gen->outsider);
	read_magnitude(ctx, g, k, &gen->magnitude);
	if (k->flags & COH_KIND_REQUEST)
		read_request(ctx, g, &gen->deadline, &gen->in_scope);
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
