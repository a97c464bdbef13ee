/* The vocabulary shared by scenario files, the engine and the outputs: the
 * event kinds (one description of each event type), names of weight keys,
 * member fields and statuses, value ranges, and the default weights.
 * docs/model.md derives each default weight from the Goldstein score of a
 * CAMEO event code (score / 10, signed by what the event means for the
 * member's commitment to the alliance). */
#include "cohesim/model.h"

#include <math.h>
#include <string.h>

/*--- Event kinds ---------------------------------------------------------*/

#define NONE {NULL, COH_NEED_NONE}
#define OPT(key) {key, COH_NEED_OPTIONAL}
#define REQ(key) {key, COH_NEED_REQUIRED}

/* One entry per event type: the single description that the loader (keys,
 * ranges, which types a timeline or a generator may use), the engine (who
 * receives, the weight key), `describe` and the documentation's tables
 * (checked by tests/unit/test_catalogue.c) all read.  The default weights
 * below are the Goldstein score / 10 of each entry's CAMEO code. */
static const coh_event_kind kinds[COH_EV__COUNT] = {
	[COH_EV_ASSISTANCE_REQUEST] = {
		"assistance_request", COH_KIND_TIMELINE | COH_KIND_REQUEST,
		REQ("by"), NONE, REQ("against"), NONE, OPT("severity"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_NONE, -1, COH_GEN_BY,
		"opens a request by i against outsider k, resolved at t + D",
		NULL, NULL},
	[COH_EV_ASSISTANCE_RESPONSE] = {
		"assistance_response", COH_KIND_TIMELINE,
		REQ("by"), REQ("to"), NONE, NONE, OPT("level"),
		COH_RANGE_UNIT, 1, COH_RECEIVES_BY, COH_W_ASSISTANCE_RESPONSE,
		COH_GEN_NEVER,
		"j's answer (level l) to an open request; j receives omega * l",
		"042 Make a visit (+1.9)",
		"a response is often a fact-finding visit, a small sign of care"},
	[COH_EV_THIRD_PARTY_EXERCISE] = {
		"third_party_exercise", COH_KIND_TIMELINE,
		REQ("by"), NONE, REQ("with"), NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_THIRD_PARTY_EXERCISE,
		COH_GEN_BY, "i receives omega * m; the leader may rebuke",
		"062 Cooperate militarily (+7.4)",
		"with an outsider: sign turned, it is hedging"},
	[COH_EV_ALLIANCE_EXERCISE] = {
		"alliance_exercise", COH_KIND_TIMELINE | COH_KIND_HOST_LISTED,
		REQ("host"), NONE, NONE, REQ("participants"), OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_LIST, COH_W_ALLIANCE_EXERCISE,
		COH_GEN_HOST,
		"every participant (host included) receives omega * m; spillover "
		"from the host to non-participants",
		"062 Cooperate militarily (+7.4)", NULL},
	[COH_EV_EXERCISE_REFUSAL] = {
		"exercise_refusal", COH_KIND_TIMELINE,
		REQ("by"), NONE, NONE, NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_EXERCISE_REFUSAL,
		COH_GEN_BY, "i receives omega * m",
		"1212 Reject military cooperation (-4)", NULL},
	[COH_EV_SUMMIT] = {
		"summit", COH_KIND_TIMELINE,
		OPT("host"), NONE, NONE, OPT("absent"), OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_LIST, COH_W_SUMMIT_ABSENCE,
		COH_GEN_ABSENT,
		"absences first, then one influence round among attending "
		"active members", NULL, NULL},
	[COH_EV_DECLARATION_REFUSAL] = {
		"declaration_refusal", COH_KIND_TIMELINE,
		REQ("by"), NONE, NONE, NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_DECLARATION_REFUSAL,
		COH_GEN_BY, "i receives omega * m", "129 Veto (-5)", NULL},
	[COH_EV_EXTERNAL_MISSION] = {
		"external_mission", COH_KIND_TIMELINE,
		REQ("by"), NONE, REQ("from"), NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_EXTERNAL_MISSION,
		COH_GEN_BY, "i receives omega * m",
		"1224 Reject request for military protection or peacekeeping (-4)",
		"taking another organisation's mission turns the alliance's down"},
	[COH_EV_STATEMENT] = {
		"statement", COH_KIND_TIMELINE,
		REQ("by"), REQ("about"), NONE, NONE, REQ("tone"),
		COH_RANGE_TONE, 10, COH_RECEIVES_TARGET, COH_W_STATEMENT,
		COH_GEN_ABOUT,
		"the member it is about receives omega * tone / 10",
		"010 Make statement (0)",
		"the tone is itself a Goldstein-like score, so the weight only "
		"passes it on"},
	[COH_EV_DEFEAT] = {
		"defeat", COH_KIND_TIMELINE,
		REQ("member"), NONE, NONE, NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_DEFEAT, COH_GEN_BY,
		"i receives omega * m", "162 Reduce or stop material aid (-5.6)",
		"a loss while allies stood by"},
	[COH_EV_SHOCK] = {
		"shock", COH_KIND_TIMELINE,
		REQ("member"), NONE, NONE, NONE, REQ("delta"),
		COH_RANGE_SIGNED_UNIT, 1, COH_RECEIVES_BY, -1, COH_GEN_BY,
		"applies delta directly", NULL, NULL},
	[COH_EV_SET] = {
		"set", COH_KIND_TIMELINE | COH_KIND_SET,
		REQ("member"), NONE, NONE, NONE, REQ("value"),
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, -1, COH_GEN_NEVER,
		"changes a member field from that day on", NULL, NULL},
	[COH_EV_REQUEST_RESOLVED] = {
		"request_resolved", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_BY, -1, COH_GEN_NEVER,
		"requester receives m (omega_a F + omega_u (1 - F)); spillover "
		"of m omega_u (1 - F)",
		"072 Provide military aid (+8.3); 1222 Reject request for "
		"military aid (-4)", NULL},
	[COH_EV_SUMMIT_ABSENCE] = {
		"summit_absence", 0, NONE, NONE, NONE, NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BY, COH_W_SUMMIT_ABSENCE,
		COH_GEN_BY,
		"absent member i receives omega * m (the summit's magnitude, "
		"default 1)",
		"125 Reject proposal to meet, discuss, or negotiate (-5)", NULL},
	[COH_EV_REBUKE] = {
		"rebuke", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_TARGET, COH_W_REBUKE, COH_GEN_NEVER,
		"the rebuked member receives omega * rebuke.magnitude",
		"111 Criticize or denounce (-2)", NULL},
	[COH_EV_CONSULTATION] = {
		"consultation", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, -1, COH_GEN_NEVER,
		"one influence round among active members", NULL, NULL},
	[COH_EV_FREEZE] = {
		"freeze", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_BY, COH_W_FREEZE, COH_GEN_NEVER,
		"the member receives omega * 1, the others its spillover",
		"161 Reduce or break diplomatic relations (-4)", NULL},
	[COH_EV_UNFREEZE] = {
		"unfreeze", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, -1, COH_GEN_NEVER,
		"status only: no impact", NULL, NULL},
	[COH_EV_EXIT] = {
		"exit", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, COH_W_EXIT, COH_GEN_NEVER,
		"the others receive its spillover; the member leaves",
		"166 Expel or withdraw (-7)", NULL},
	[COH_EV_WITHDRAWAL] = {
		"withdrawal", COH_KIND_TIMELINE,
		REQ("member"), NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, COH_W_EXIT, COH_GEN_NEVER,
		"the member exits that day whatever its commitment: the "
		"exit's spillover, as for an exit by threshold",
		"166 Expel or withdraw (-7)", NULL},
	[COH_EV_ACCESSION] = {
		"accession", 0, NONE, NONE, NONE, NONE, NONE,
		COH_RANGE_ANY, 1, COH_RECEIVES_NONE, COH_W_ACCESSION,
		COH_GEN_NEVER,
		"on a candidate's joining day, every other current member "
		"receives omega * 1",
		"057 Sign formal agreement (+8)",
		"the accession treaty signed by the alliance"},
	[COH_EV_DISPUTE] = {
		"dispute", COH_KIND_TIMELINE,
		REQ("by"), REQ("target"), NONE, NONE, OPT("magnitude"),
		COH_RANGE_NONNEG, 1, COH_RECEIVES_BOTH, COH_W_DISPUTE, COH_GEN_BY,
		"both members receive omega * m, each with its spillover",
		"114 Complain officially (-2)",
		"a formal complaint between allies costs both sides"},
};

#undef NONE
#undef OPT
#undef REQ

const coh_event_kind *coh_event_kind_info(coh_event_type type)
{
	return (unsigned)type < COH_EV__COUNT ? &kinds[type] : NULL;
}

/* Types a scenario declares come after the built-in ones. */
const coh_user_kind *coh_model_user_kind(const coh_model *model,
					 coh_event_type type)
{
	if (!model || (int)type < COH_EV__COUNT)
		return NULL;
	size_t k = (size_t)((int)type - COH_EV__COUNT);
	return k < model->n_user_kinds ? &model->user_kinds[k] : NULL;
}

const coh_event_kind *coh_model_kind(const coh_model *model,
				     coh_event_type type)
{
	const coh_user_kind *u = coh_model_user_kind(model, type);
	return u ? &u->kind : coh_event_kind_info(type);
}

const char *coh_model_type_name(const coh_model *model, coh_event_type type)
{
	const coh_event_kind *k = coh_model_kind(model, type);
	return k ? k->name : "?";
}

static const char *const receiver_names[] = {
	[COH_RECEIVES_BY] = "by",
	[COH_RECEIVES_TARGET] = "target",
	[COH_RECEIVES_BOTH] = "both",
	[COH_RECEIVES_OTHERS] = "others",
	[COH_RECEIVES_ALL] = "all",
};

int coh_receiver_lookup(const char *name)
{
	for (int r = 0; r <= COH_RECEIVES_ALL; r++)
		if (receiver_names[r] && strcmp(receiver_names[r], name) == 0)
			return r;
	return -1;
}

const char *coh_receiver_name(coh_receiver r)
{
	return (unsigned)r <= COH_RECEIVES_ALL && receiver_names[r] ?
		       receiver_names[r] : "?";
}

/*--- Names and defaults --------------------------------------------------*/

static const char *const weight_names[COH_W__COUNT] = {
	[COH_W_REQUEST_ANSWERED] = "request_answered",
	[COH_W_REQUEST_UNANSWERED] = "request_unanswered",
	[COH_W_ASSISTANCE_RESPONSE] = "assistance_response",
	[COH_W_THIRD_PARTY_EXERCISE] = "third_party_exercise",
	[COH_W_ALLIANCE_EXERCISE] = "alliance_exercise",
	[COH_W_EXERCISE_REFUSAL] = "exercise_refusal",
	[COH_W_SUMMIT_ABSENCE] = "summit_absence",
	[COH_W_DECLARATION_REFUSAL] = "declaration_refusal",
	[COH_W_EXTERNAL_MISSION] = "external_mission",
	[COH_W_STATEMENT] = "statement",
	[COH_W_DEFEAT] = "defeat",
	[COH_W_REBUKE] = "rebuke",
	[COH_W_FREEZE] = "freeze",
	[COH_W_EXIT] = "exit",
	[COH_W_ACCESSION] = "accession",
	[COH_W_DISPUTE] = "dispute",
};

/* Goldstein score / 10 of the CAMEO code in the comment, signed for the
 * member's commitment (docs/model.md has the reasoning, key by key). */
static const double default_weights[COH_W__COUNT] = {
	[COH_W_REQUEST_ANSWERED] = 0.83,      /* 072 provide military aid +8.3 */
	[COH_W_REQUEST_UNANSWERED] = -0.40,   /* 1222 reject request for military aid -4 */
	[COH_W_ASSISTANCE_RESPONSE] = 0.19,   /* 042 make a visit +1.9 */
	[COH_W_THIRD_PARTY_EXERCISE] = -0.74, /* 062 cooperate militarily +7.4, with an outsider */
	[COH_W_ALLIANCE_EXERCISE] = 0.74,     /* 062 cooperate militarily +7.4 */
	[COH_W_EXERCISE_REFUSAL] = -0.40,     /* 1212 reject military cooperation -4 */
	[COH_W_SUMMIT_ABSENCE] = -0.50,       /* 125 reject proposal to meet -5 */
	[COH_W_DECLARATION_REFUSAL] = -0.50,  /* 129 veto -5 */
	[COH_W_EXTERNAL_MISSION] = -0.40,     /* 1224 reject request for peacekeeping -4 */
	[COH_W_STATEMENT] = 1.00,             /* the tone is itself a Goldstein score */
	[COH_W_DEFEAT] = -0.56,               /* 162 reduce or stop material aid -5.6 */
	[COH_W_REBUKE] = -0.20,               /* 111 criticize or denounce -2 */
	[COH_W_FREEZE] = -0.40,               /* 161 reduce or break relations -4 */
	[COH_W_EXIT] = -0.70,                 /* 166 expel or withdraw -7 */
	[COH_W_ACCESSION] = 0.80,             /* 057 sign formal agreement +8 */
	[COH_W_DISPUTE] = -0.20,              /* 114 complain officially -2 */
};

/* Spillover is off except where allies plainly learn from a partner's fate:
 * an unanswered request and an exit (docs/scenario-format.md, model). */
static const double default_spillover[COH_W__COUNT] = {
	[COH_W_REQUEST_UNANSWERED] = 0.3,
	[COH_W_EXIT] = 0.5,
};

static const char *const field_names[COH_FIELD__COUNT] = {
	[COH_FIELD_BASELINE] = "baseline",
	[COH_FIELD_SENSITIVITY] = "sensitivity",
	[COH_FIELD_HALF_LIFE] = "half_life",
	[COH_FIELD_ADAPTATION_HALF_LIFE] = "adaptation_half_life",
	[COH_FIELD_SUSCEPTIBILITY] = "susceptibility",
	[COH_FIELD_FREEZE] = "freeze",
	[COH_FIELD_EXIT] = "exit",
	[COH_FIELD_DWELL] = "dwell",
	[COH_FIELD_RECOVER] = "recover",
};

static const char *const status_names[] = {
	[COH_ACTIVE] = "active",
	[COH_FROZEN] = "frozen",
	[COH_EXITED] = "exited",
	[COH_CANDIDATE] = "candidate",
};

static const coh_range field_ranges[COH_FIELD__COUNT] = {
	[COH_FIELD_BASELINE] = COH_RANGE_UNIT,
	[COH_FIELD_SENSITIVITY] = COH_RANGE_NONNEG,
	[COH_FIELD_HALF_LIFE] = COH_RANGE_HALF_LIFE,
	[COH_FIELD_ADAPTATION_HALF_LIFE] = COH_RANGE_HALF_LIFE,
	[COH_FIELD_SUSCEPTIBILITY] = COH_RANGE_UNIT,
	[COH_FIELD_FREEZE] = COH_RANGE_UNIT,
	[COH_FIELD_EXIT] = COH_RANGE_UNIT,
	[COH_FIELD_DWELL] = COH_RANGE_NONNEG,
	[COH_FIELD_RECOVER] = COH_RANGE_NONNEG,
};

static int lookup(const char *const *names, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *coh_event_type_name(coh_event_type type)
{
	return (unsigned)type < COH_EV__COUNT ? kinds[type].name : "?";
}

int coh_event_type_lookup(const char *name)
{
	for (int i = 0; i < COH_EV__COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	return -1;
}

const char *coh_weight_key_name(coh_weight_key key)
{
	return (unsigned)key < COH_W__COUNT ? weight_names[key] : "?";
}

int coh_weight_key_lookup(const char *name)
{
	return lookup(weight_names, COH_W__COUNT, name);
}

const char *coh_member_field_name(coh_member_field field)
{
	return (unsigned)field < COH_FIELD__COUNT ? field_names[field] : "?";
}

int coh_member_field_lookup(const char *name)
{
	return lookup(field_names, COH_FIELD__COUNT, name);
}

const char *coh_status_name(coh_status status)
{
	return (unsigned)status <= COH_CANDIDATE ? status_names[status] : "?";
}

double coh_default_weight(coh_weight_key key)
{
	return (unsigned)key < COH_W__COUNT ? default_weights[key] : 0.0;
}

double coh_default_spillover(coh_weight_key key)
{
	return (unsigned)key < COH_W__COUNT ? default_spillover[key] : 0.0;
}

coh_range coh_member_field_range(coh_member_field field)
{
	return (unsigned)field < COH_FIELD__COUNT ? field_ranges[field]
						  : COH_RANGE_ANY;
}

/*--- Ranges --------------------------------------------------------------*/

int coh_range_holds(coh_range range, double v)
{
	if (!isfinite(v))
		return 0;
	switch (range) {
	case COH_RANGE_NONNEG: return v >= 0;
	case COH_RANGE_POS: return v > 0;
	case COH_RANGE_UNIT: return v >= 0 && v <= 1;
	case COH_RANGE_SIGNED_UNIT: return v >= -1 && v <= 1;
	case COH_RANGE_TONE: return v >= -10 && v <= 10;
	/* shorter half-lives overflow the rate 1 / h */
	case COH_RANGE_HALF_LIFE: return v == 0 || v >= COH_MIN_HALF_LIFE;
	default: return 1;
	}
}

const char *coh_range_text(coh_range range)
{
	switch (range) {
	case COH_RANGE_NONNEG: return ">= 0";
	case COH_RANGE_POS: return "> 0";
	case COH_RANGE_UNIT: return "in [0, 1]";
	case COH_RANGE_SIGNED_UNIT: return "in [-1, 1]";
	case COH_RANGE_TONE: return "in [-10, 10]";
	case COH_RANGE_HALF_LIFE: return "0 (never) or at least 1e-06 days";
	default: return "";
	}
}
