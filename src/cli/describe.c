/* `cohesim describe`: the scenario as the engine will see it, after
 * includes, defaults and overrides: members with every parameter, ties,
 * affinities, weights (defaults marked), the timeline in time order with
 * notes and sources, and the generators.  Plain text on stdout. */
#include "cli.h"
#include "cohesim/calibrate.h"
#include "core/number.h"
#include "cohesim/date.h"
#include "cohesim/model.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char describe_help[] =
	"Usage: cohesim describe SCENARIO [OPTIONS]\n"
	"\n"
	"Prints the scenario as resolved (defaults applied, overrides and\n"
	"includes done): members and their parameters, ties, affinities,\n"
	"weights, the event timeline and the generators.\n"
	"\n"
	"Options:\n"
	"      --set PATH=VALUE    change one setting first (repeatable)\n"
	"      --include-root DIR  folder that @include may not leave\n"
	"  -h, --help              show this help\n";

enum { OPT_SET = 1, OPT_ROOT, OPT_HELP };

static const cli_option describe_options[] = {
	{"set", 0, 1, OPT_SET},
	{"include-root", 0, 1, OPT_ROOT},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

/* Numbers as the engine holds them: the shortest text that reads back to
 * the same double, so nothing is hidden by rounding. */
typedef struct num {
	char s[32];
} num;

static num fmt(double x)
{
	num n = {"nan"};
	if (!isnan(x))
		coh_format_double(n.s, x);
	return n;
}

static const char *member_id(const coh_model *m, int i)
{
	return i >= 0 && (size_t)i < m->n_members ? m->members[i].id : "-";
}

static const char *outsider_id(const coh_model *m, int k)
{
	return k >= 0 && (size_t)k < m->n_outsiders ? m->outsiders[k].id : "-";
}

static void date_at(char buf[16], const coh_model *m, double day)
{
	coh_date_format_offset(buf, 16, m->start_day, day);
}

/*--- Sections ------------------------------------------------------------*/

static void print_header(const coh_model *m)
{
	char start[16], end[16];
	coh_date_format(start, sizeof start, m->start_day);
	coh_date_format(end, sizeof end,
			m->start_day + (int64_t)llround(m->horizon));
	printf("%s: %s\n\n", m->name, m->title ? m->title : "");
	printf("  dates          %s to %s (horizon %s days)\n", start, end,
	       fmt(m->horizon).s);
	printf("  seed           %" PRIu64 "\n", m->seed);
	printf("  replications   %" PRIu64 "\n", m->replications);
	printf("  sample every   %s days\n", fmt(m->sample_every).s);
	if (m->consultation_period > 0)
		printf("  consultation   every %s days\n",
		       fmt(m->consultation_period).s);
	else
		printf("  consultation   none (influence only at summits)\n");
	printf("  alliance       %s", m->alliance_name ? m->alliance_name : "");
	if (m->leader >= 0)
		printf(", leader %s (%s)", member_id(m, m->leader),
		       m->members[m->leader].name);
	else
		printf(", no leader");
	printf("\n");
}

/* One table column per member parameter. */
typedef struct column {
	const char *title;
	size_t offset;
} column;

#define COL(title, field) {title, offsetof(coh_member, field)}
static const column member_columns[] = {
	COL("power", power),
	COL("commitment", commitment),
	COL("baseline", baseline),
	COL("half_life", half_life),
	COL("adaptation_half_life", adaptation_half_life),
	COL("sensitivity", sensitivity),
	COL("susceptibility", susceptibility),
	COL("freeze", freeze),
	COL("exit", exit),
	COL("dwell", dwell),
	COL("recover", recover),
};
#define N_COLUMNS (sizeof member_columns / sizeof member_columns[0])

static double member_value(const coh_member *mem, const column *c)
{
	double v;
	memcpy(&v, (const char *)mem + c->offset, sizeof v);
	return v;
}

/* Parameters as rows and members as columns (key names as in the scenario
 * file, so they can be copied into --set), eight members per block. */
static void print_members(const coh_model *m)
{
	printf("\nMembers (%zu)\n", m->n_members);
	for (size_t i = 0; i < m->n_members; i++) {
		printf("  %-6s %s", m->members[i].id,
		       m->members[i].name ? m->members[i].name : "");
		if (m->members[i].joins > 0) {
			char date[16];
			coh_date_format_offset(date, sizeof date, m->start_day,
					       m->members[i].joins);
			printf("  (joins %s: a candidate until then)", date);
		}
		printf("\n");
	}

	enum { PER_BLOCK = 8 };
	size_t key_w = 0;
	for (size_t c = 0; c < N_COLUMNS; c++) {
		size_t w = strlen(member_columns[c].title);
		key_w = w > key_w ? w : key_w;
	}
	for (size_t first = 0; first < m->n_members; first += PER_BLOCK) {
		size_t last = first + PER_BLOCK < m->n_members
				      ? first + PER_BLOCK
				      : m->n_members;
		size_t width[PER_BLOCK] = {0};
		for (size_t i = first; i < last; i++) {
			size_t w = strlen(m->members[i].id);
			for (size_t c = 0; c < N_COLUMNS; c++) {
				size_t v = strlen(fmt(member_value(
					&m->members[i], &member_columns[c])).s);
				w = v > w ? v : w;
			}
			width[i - first] = w;
		}
		printf("\n  %-*s", (int)key_w, "");
		for (size_t i = first; i < last; i++)
			printf("  %*s", (int)width[i - first],
			       m->members[i].id);
		printf("\n");
		for (size_t c = 0; c < N_COLUMNS; c++) {
			printf("  %-*s", (int)key_w, member_columns[c].title);
			for (size_t i = first; i < last; i++)
				printf("  %*s", (int)width[i - first],
				       fmt(member_value(&m->members[i],
							&member_columns[c])).s);
			printf("\n");
		}
	}
	printf("  (a half-life of 0 means no relaxation / no drift)\n");
}

static void print_outsiders(const coh_model *m)
{
	printf("\nOutsiders (%zu)\n", m->n_outsiders);
	if (m->n_outsiders == 0)
		printf("  none\n");
	for (size_t k = 0; k < m->n_outsiders; k++)
		printf("  %-6s %s\n", m->outsiders[k].id,
		       m->outsiders[k].name ? m->outsiders[k].name : "");
}

/* The weight i gives j as the engine uses it before normalisation:
 * listed ties for members that list any, power otherwise. */
static double tie_weight(const coh_model *m, size_t i, size_t j)
{
	if (!m->members[i].explicit_ties)
		return m->members[j].power;
	double w = 0;
	for (size_t t = 0; t < m->n_ties; t++)
		if ((size_t)m->ties[t].from == i && (size_t)m->ties[t].to == j)
			w = m->ties[t].weight;
	return w;
}

static void print_ties(const coh_model *m)
{
	size_t n = m->n_members, listed = 0;
	for (size_t i = 0; i < n; i++)
		listed += m->members[i].explicit_ties != 0;
	printf("\nTies (row listens to column; rows are normalised where "
	       "used)\n");
	if (listed == 0) {
		printf("  none listed: every member weighs every member "
		       "(itself included) by power\n");
		return;
	}
	if (n <= 12) {
		size_t w = 6;
		for (size_t i = 0; i < n; i++) {
			size_t a = strlen(m->members[i].id);
			w = a > w ? a : w;
			for (size_t j = 0; j < n; j++) {
				size_t b = strlen(fmt(tie_weight(m, i, j)).s);
				w = b > w ? b : w;
			}
		}
		printf("  %-*s", (int)w, "");
		for (size_t j = 0; j < n; j++)
			printf("  %*s", (int)w, m->members[j].id);
		printf("\n");
		for (size_t i = 0; i < n; i++) {
			printf("  %-*s", (int)w, m->members[i].id);
			for (size_t j = 0; j < n; j++)
				printf("  %*s", (int)w,
				       fmt(tie_weight(m, i, j)).s);
			printf("%s\n", m->members[i].explicit_ties
					       ? ""
					       : "  (by power)");
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!m->members[i].explicit_ties) {
			printf("  %s -> every member, by power\n",
			       m->members[i].id);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			double w = tie_weight(m, i, j);
			if (w != 0)
				printf("  %s -> %s  %s\n", m->members[i].id,
				       m->members[j].id, fmt(w).s);
		}
	}
}

static void print_affinities(const coh_model *m)
{
	printf("\nAffinities (member toward outsider, -1 foe .. +1 friend)\n");
	if (m->n_affinities == 0)
		printf("  none listed (all 0)\n");
	for (size_t a = 0; a < m->n_affinities; a++)
		printf("  %s -> %s  %s\n",
		       member_id(m, m->affinities[a].member),
		       outsider_id(m, m->affinities[a].outsider),
		       fmt(m->affinities[a].value).s);
}

static void print_weights(const coh_model *m)
{
	printf("\nWeights and spillover shares (* = the documented default)\n");
	printf("  %-22s %10s    %10s\n", "key", "weight", "spillover");
	for (int k = 0; k < COH_W__COUNT; k++) {
		double w = m->weight[k], s = m->spillover[k];
		printf("  %-22s %10s %s  %10s %s\n",
		       coh_weight_key_name((coh_weight_key)k), fmt(w).s,
		       w == coh_default_weight((coh_weight_key)k) ? "*" : " ",
		       fmt(s).s,
		       s == coh_default_spillover((coh_weight_key)k) ? "*"
								     : " ");
	}
	for (size_t k = 0; k < m->n_user_kinds; k++) {
		const coh_user_kind *u = &m->user_kinds[k];
		printf("  %-22s %10s    %10s\n", u->kind.name,
		       fmt(u->weight).s, fmt(u->spillover).s);
	}
	const coh_response_params *r = &m->response;
	printf("\nResponse model (drawn answers): base %s, commitment %s, "
	       "tie %s,\n  affinity %s, scope_factor %s\n",
	       fmt(r->base).s, fmt(r->commitment).s, fmt(r->tie).s,
	       fmt(r->affinity).s, fmt(r->scope_factor).s);
	printf("Rebuke by the leader: probability %s, delay %s days, "
	       "magnitude %s\n",
	       fmt(m->rebuke.probability).s, fmt(m->rebuke.delay).s,
	       fmt(m->rebuke.magnitude).s);
}

/* The scenario's own event types (model.event_types). */
static void print_user_kinds(const coh_model *m)
{
	if (m->n_user_kinds == 0)
		return;
	printf("\nEvent types of the scenario (%zu)\n", m->n_user_kinds);
	for (size_t k = 0; k < m->n_user_kinds; k++) {
		const coh_user_kind *u = &m->user_kinds[k];
		printf("  %-22s received by %s, weight %s, spillover %s",
		       u->kind.name, coh_receiver_name(u->kind.receives),
		       fmt(u->weight).s, fmt(u->spillover).s);
		if (u->kind.cameo)
			printf(", CAMEO %s", u->kind.cameo);
		printf("\n");
	}
}

static void print_list(const coh_model *m, const coh_event *e)
{
	if (e->list_count == 0) {
		printf("none");
		return;
	}
	for (size_t i = 0; i < e->list_count; i++) {
		size_t at = e->list_first + i;
		printf("%s%s", i ? ", " : "",
		       at < m->n_lists ? member_id(m, m->lists[at]) : "?");
	}
}

/* The parts of an event its kind gives (a party the kind requires is
 * shown even when unset, as "-"). */
static int shown(coh_event_slot slot, int index)
{
	return slot.key && (index >= 0 || slot.need == COH_NEED_REQUIRED);
}

/* An event's details, named as its kind names them in a scenario file:
 * the parties first ("by ARM against AZE"), then the rest ("deadline 30
 * days, severity 1, in scope, answers drawn"). */
static void print_event_details(const coh_model *m, const coh_event *e)
{
	const coh_event_kind *k = coh_model_kind(m, e->type);
	if (!k)
		return;
	const char *sep = "";
	if (shown(k->actor, e->actor)) {
		printf("%s %s", k->actor.key, member_id(m, e->actor));
		sep = " ";
	}
	if (shown(k->target, e->target)) {
		printf("%s%s %s", sep, k->target.key, member_id(m, e->target));
		sep = " ";
	}
	if (shown(k->outsider, e->outsider)) {
		printf("%s%s %s", sep, k->outsider.key,
		       outsider_id(m, e->outsider));
		sep = " ";
	}
	sep = sep[0] ? ", " : "";
	if (k->list.key) {
		printf("%s%s ", sep, k->list.key);
		print_list(m, e);
		sep = ", ";
	}
	if (k->flags & COH_KIND_REQUEST) {
		printf("%sdeadline %s days", sep, fmt(e->deadline).s);
		sep = ", ";
	}
	if (k->flags & COH_KIND_SET)
		printf("%s%s = %s", sep, coh_member_field_name(e->field),
		       fmt(e->magnitude).s);
	else if (k->magnitude.key)
		printf("%s%s %s", sep, k->magnitude.key,
		       fmt(e->magnitude * k->per).s);
	if (k->flags & COH_KIND_REQUEST)
		printf(", %s, answers %s",
		       e->in_scope ? "in scope" : "out of scope",
		       e->drawn_answers ? "drawn" : "scripted");
}

static void print_events(const coh_model *m)
{
	printf("\nTimeline (%zu events)\n", m->n_events);
	if (m->n_events == 0)
		printf("  none\n");
	for (size_t i = 0; i < m->n_events; i++) {
		const coh_event *e = &m->events[i];
		char date[16];
		date_at(date, m, e->day);
		printf("  %s  day %-6s %-20s ", date, fmt(e->day).s,
		       coh_model_type_name(m, e->type));
		print_event_details(m, e);
		printf("\n");
		if (e->note && e->note[0])
			printf("      note: %s\n", e->note);
		if (e->source && e->source[0])
			printf("      source: %s\n", e->source);
	}
}

static void print_generators(const coh_model *m)
{
	printf("\nGenerators (%zu; rate per year, r = rate * exp(feedback * "
	       "(b - c)))\n",
	       m->n_generators);
	if (m->n_generators == 0)
		printf("  none\n");
	for (size_t i = 0; i < m->n_generators; i++) {
		const coh_generator *g = &m->generators[i];
		printf("  %s by %s", coh_model_type_name(m, g->type),
		       g->member < 0 ? "*" : member_id(m, g->member));
		if (g->outsider >= 0)
			printf(" (%s)", outsider_id(m, g->outsider));
		const coh_event_kind *k = coh_model_kind(m, g->type);
		if (k && k->target.key && k->generated_as == COH_GEN_BY &&
		    g->target >= 0 && !g->absences)
			printf(" %s %s", k->target.key, member_id(m, g->target));
		printf(": rate %s, feedback %s", fmt(g->rate).s,
		       fmt(g->feedback).s);
		if (k && k->magnitude.key && g->draw == COH_DRAW_UNIFORM)
			printf(", %s uniform in [%s, %s]", k->magnitude.key,
			       fmt(g->low * k->per).s, fmt(g->high * k->per).s);
		else if (k && k->magnitude.key && g->draw == COH_DRAW_NORMAL)
			printf(", %s normal (mean %s, sd %s) within [%s, %s]",
			       k->magnitude.key, fmt(g->magnitude * k->per).s,
			       fmt(g->sd * k->per).s, fmt(g->low * k->per).s,
			       fmt(g->high * k->per).s);
		else if (k && k->magnitude.key)
			printf(", %s %s", k->magnitude.key,
			       fmt(g->magnitude * k->per).s);
		if (g->absences)
			printf(", absences drawn (absence_mid %s, "
			       "absence_slope %s)", fmt(g->absence_mid).s,
			       fmt(g->absence_slope).s);
		if (k && (k->flags & COH_KIND_REQUEST))
			printf(", deadline %s days, %s", fmt(g->deadline).s,
			       g->in_scope ? "in scope" : "out of scope");
		char from[16], to[16];
		date_at(from, m, g->start);
		date_at(to, m, g->end);
		printf(", %s to %s (days %s to %s)\n", from, to,
		       fmt(g->start).s, fmt(g->end).s);
	}
}

static void print_calibration(const coh_model *m)
{
	if (!m->n_priors && !m->n_milestones)
		return;
	printf("\nCalibration priors (%zu)\n", m->n_priors);
	for (size_t i = 0; i < m->n_priors; i++) {
		const coh_prior *p = &m->priors[i];
		printf("  %s: %s on [%s, %s]\n", p->path,
		       p->log ? "log-uniform" : "uniform", fmt(p->min).s,
		       fmt(p->max).s);
	}
	printf("\nCalibration milestones (%zu)\n", m->n_milestones);
	for (size_t i = 0; i < m->n_milestones; i++) {
		const coh_milestone *ms = &m->milestones[i];
		char date[16], what[256];
		date_at(date, m, (double)ms->day);
		coh_abc_milestone_text(what, sizeof what, m, ms);
		printf("  %s %s: %s", date, ms->id, what);
		if (ms->weight != 1.0)
			printf(", weight %s", fmt(ms->weight).s);
		printf("\n");
		if (ms->source)
			printf("    source: %s\n", ms->source);
	}
}

int cli_describe(int argc, char **argv, int first)
{
	cli_strings overrides = {0};
	const char *path = NULL, *root = NULL;
	int status = CLI_OK;
	cli_parser p;
	const char *v;
	int id;

	cli_parser_init(&p, "describe", describe_options, argc, argv, first);
	while (status == CLI_OK && (id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			status = CLI_USAGE;
			break;
		case CLI_NEXT_POSITIONAL:
			if (path)
				status = cli_usage_error(
					"describe",
					"expected one SCENARIO, got '%s' and "
					"'%s'",
					path, v);
			path = v;
			break;
		case OPT_SET:
			status = cli_opt_set("describe", v, &overrides);
			break;
		case OPT_ROOT:
			root = v;
			break;
		case OPT_HELP:
			fputs(describe_help, stdout);
			cli_strings_free(&overrides);
			return CLI_OK;
		}
	}
	if (status == CLI_OK && !path)
		status = cli_usage_error("describe", "missing SCENARIO");
	coh_scenario *sc = NULL;
	if (status == CLI_OK)
		status = cli_load(&sc, path, root, overrides.items,
				  overrides.count);
	cli_strings_free(&overrides);
	if (status != CLI_OK)
		return status;

	const coh_model *m = coh_scenario_model(sc);
	print_header(m);
	print_members(m);
	print_outsiders(m);
	print_ties(m);
	print_affinities(m);
	print_weights(m);
	print_user_kinds(m);
	print_events(m);
	print_generators(m);
	print_calibration(m);
	coh_scenario_free(sc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("cohesim: describe: cannot write to standard output\n",
		      stderr);
		return CLI_ERROR;
	}
	return CLI_OK;
}
