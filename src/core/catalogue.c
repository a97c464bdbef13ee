/* The vocabulary shared by scenario files, the engine and the outputs: names
 * of event types, weight keys, member fields and statuses, and the default
 * weights.  docs/model.md derives each default weight from the Goldstein
 * score of a CAMEO event code (score / 10, signed by what the event means for
 * the member's commitment to the alliance). */
#include "cohesim/model.h"

#include <string.h>

static const char *const event_names[COH_EV__COUNT] = {
	[COH_EV_ASSISTANCE_REQUEST] = "assistance_request",
	[COH_EV_ASSISTANCE_RESPONSE] = "assistance_response",
	[COH_EV_THIRD_PARTY_EXERCISE] = "third_party_exercise",
	[COH_EV_ALLIANCE_EXERCISE] = "alliance_exercise",
	[COH_EV_EXERCISE_REFUSAL] = "exercise_refusal",
	[COH_EV_SUMMIT] = "summit",
	[COH_EV_DECLARATION_REFUSAL] = "declaration_refusal",
	[COH_EV_EXTERNAL_MISSION] = "external_mission",
	[COH_EV_STATEMENT] = "statement",
	[COH_EV_DEFEAT] = "defeat",
	[COH_EV_SHOCK] = "shock",
	[COH_EV_SET] = "set",
	[COH_EV_REQUEST_RESOLVED] = "request_resolved",
	[COH_EV_SUMMIT_ABSENCE] = "summit_absence",
	[COH_EV_REBUKE] = "rebuke",
	[COH_EV_CONSULTATION] = "consultation",
	[COH_EV_FREEZE] = "freeze",
	[COH_EV_UNFREEZE] = "unfreeze",
	[COH_EV_EXIT] = "exit",
};

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
};

/* Spillover is off except where allies plainly learn from a partner's fate:
 * an unanswered request and an exit (SCENARIO.md's example values). */
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
	return (unsigned)type < COH_EV__COUNT ? event_names[type] : "?";
}

int coh_event_type_lookup(const char *name)
{
	return lookup(event_names, COH_EV__COUNT, name);
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
	return (unsigned)status <= COH_EXITED ? status_names[status] : "?";
}

double coh_default_weight(coh_weight_key key)
{
	return (unsigned)key < COH_W__COUNT ? default_weights[key] : 0.0;
}

double coh_default_spillover(coh_weight_key key)
{
	return (unsigned)key < COH_W__COUNT ? default_spillover[key] : 0.0;
}
