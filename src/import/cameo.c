/* CAMEO codes and the mapping from codes to event types: the default rules,
 * each with its reason (docs/import.md prints the same table, and
 * tests/unit/test_import.c checks that they agree), and mapping files that
 * replace them. */
#include "import/internal.h"
#include "core/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/*--- Codes ---------------------------------------------------------------*/

int imp_cameo_normalize(char out[IMP_CODE_MAX], const char *text)
{
	while (*text == ' ')
		text++;
	size_t n = 0;
	while (isdigit((unsigned char)text[n]))
		n++;
	const char *rest = text + n;
	while (*rest == ' ')
		rest++;
	if (n == 0 || n > 4 || *rest)
		return -1;
	/* No CAMEO root is above 20, so three digits starting 21..99 are a
	 * four-digit code that lost its zero ("211" is 0211); two digits are
	 * a three-digit code that did ("42" is 042).  One digit is a root
	 * ("2" is 02); the importer's rules never use roots alone. */
	int pad = n <= 2 ||
		  (n == 3 && ((text[0] - '0') * 10 + (text[1] - '0')) > 20);
	size_t k = 0;
	if (pad)
		out[k++] = '0';
	memcpy(out + k, text, n);
	out[k + n] = '\0';
	return 0;
}

/*--- The default mapping -------------------------------------------------*/

static const char *const parties_names[IMP_PARTIES__COUNT] = {
	[IMP_MEMBER_MEMBER] = "member>member",
	[IMP_MEMBER_OUTSIDER] = "member>outsider",
	[IMP_OUTSIDER_MEMBER] = "outsider>member",
};

const char *imp_parties_name(imp_parties p)
{
	return (unsigned)p < IMP_PARTIES__COUNT ? parties_names[p] : "?";
}

#define MM IMP_MEMBER_MEMBER
#define MO IMP_MEMBER_OUTSIDER
#define OM IMP_OUTSIDER_MEMBER

/* The rules, most specific code last within a group.  A row is read as
 * "source does CODE to target"; docs/import.md explains each line and the
 * roles each side takes in the event. */
static const imp_rule default_rules[] = {
	{"062", MO, COH_EV_THIRD_PARTY_EXERCISE,
	 "military cooperation with a state outside the alliance is the "
	 "hedging that third_party_exercise stands for"},
	{"062", OM, COH_EV_THIRD_PARTY_EXERCISE,
	 "the same cooperation reported from the outsider's side; the member "
	 "is still the one hedging"},
	{"062", MM, COH_EV_ALLIANCE_EXERCISE,
	 "military cooperation between two members is the alliance at work: "
	 "an exercise hosted by the source with the target taking part"},
	{"0232", MM, COH_EV_ASSISTANCE_REQUEST,
	 "an appeal to an ally for military aid is the call for help that "
	 "opens a request (the outsider it is against comes from --against)"},
	{"0234", MM, COH_EV_ASSISTANCE_REQUEST,
	 "an appeal to an ally for protection or peacekeeping is the same "
	 "call"},
	{"072", MM, COH_EV_ASSISTANCE_RESPONSE,
	 "military aid given to an ally answers its request"},
	{"074", MM, COH_EV_ASSISTANCE_RESPONSE,
	 "protection or peacekeeping given to an ally answers its request"},
	{"074", OM, COH_EV_EXTERNAL_MISSION,
	 "protection from an outsider is a mission taken from outside the "
	 "alliance"},
	{"0861", MO, COH_EV_EXTERNAL_MISSION,
	 "letting an outsider's peacekeepers in is the same mission, coded "
	 "from the receiving member's side"},
	{"1212", MM, COH_EV_EXERCISE_REFUSAL,
	 "rejecting military cooperation with an ally is a refusal to "
	 "exercise (the catalogue's own code for exercise_refusal)"},
	{"129", MM, COH_EV_DECLARATION_REFUSAL,
	 "a veto between members blocks a common position, as a refused "
	 "declaration does (the catalogue's code for declaration_refusal)"},
	{"018", MM, COH_EV_STATEMENT,
	 "sympathy for an ally: a statement whose tone is the Goldstein "
	 "score"},
	{"019", MM, COH_EV_STATEMENT,
	 "agreement with an ally: a statement, tone from the Goldstein score"},
	{"051", MM, COH_EV_STATEMENT,
	 "praise of an ally: a statement, tone from the Goldstein score"},
	{"052", MM, COH_EV_STATEMENT,
	 "defending an ally in words: a statement, tone from the Goldstein "
	 "score"},
	{"11", MM, COH_EV_STATEMENT,
	 "criticism and accusations between members: statements with a "
	 "negative tone, from the Goldstein score"},
	{"114", MM, COH_EV_STATEMENT,
	 "a formal complaint: the model has no dispute type, so it is a "
	 "statement with the complaint's Goldstein score as tone"},
	{"13", MM, COH_EV_STATEMENT,
	 "a threat between members: the harshest words short of force, a "
	 "statement with the Goldstein score as tone"},
};

#undef MM
#undef MO
#undef OM

const imp_rule *imp_default_rules(size_t *n)
{
	*n = sizeof default_rules / sizeof default_rules[0];
	return default_rules;
}

/* The roles of each side are fixed per type (docs/import.md); these are
 * the parties from which the importer can fill the type's keys. */
int imp_type_accepts(coh_event_type type, imp_parties parties)
{
	switch (type) {
	case COH_EV_THIRD_PARTY_EXERCISE:
	case COH_EV_EXTERNAL_MISSION:
		return parties == IMP_MEMBER_OUTSIDER ||
		       parties == IMP_OUTSIDER_MEMBER;
	case COH_EV_ALLIANCE_EXERCISE:
	case COH_EV_ASSISTANCE_REQUEST:
	case COH_EV_ASSISTANCE_RESPONSE:
	case COH_EV_STATEMENT:
	case COH_EV_DECLARATION_REFUSAL:
		return parties == IMP_MEMBER_MEMBER;
	case COH_EV_EXERCISE_REFUSAL:
		return parties == IMP_MEMBER_MEMBER ||
		       parties == IMP_MEMBER_OUTSIDER;
	case COH_EV_DEFEAT:
		return parties == IMP_OUTSIDER_MEMBER;
	default:
		return 0;
	}
}

/*--- Mapping files -------------------------------------------------------*/

void imp_mapping_free(imp_mapping *m)
{
	if (!m)
		return;
	coh_free(m->owned);
	coh_free(m->text);
	memset(m, 0, sizeof *m);
}

static char *next_token(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *t = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return t;
}

/* The types a mapping may name, for messages. */
static const char mapping_types[] =
	"third_party_exercise, alliance_exercise, assistance_request, "
	"assistance_response, exercise_refusal, declaration_refusal, "
	"external_mission, statement or defeat";

static int parse_rule(imp_rule *r, char *line, const char *path, long no,
		      const imp_rule *rules, size_t n, coh_error *err)
{
	char *p = line;
	char *code = next_token(&p);
	char *parties = next_token(&p);
	char *type = next_token(&p);
	if (!parties || !type)
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "a rule needs CODE PARTIES TYPE REASON, "
				     "got only %d of them",
				     parties ? 2 : 1);
	/* a code begins with its root, 01 to 20: "62" is a 062 that lost
	 * its zero, which a rule must not do (it would match no row) */
	size_t cl = strlen(code);
	int root = cl >= 2 ? (code[0] - '0') * 10 + (code[1] - '0') : 0;
	if (strspn(code, "0123456789") != cl || cl < 2 || cl > 4 ||
	    root < 1 || root > 20)
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "CAMEO code \"%s\" must be 2 to 4 digits "
				     "beginning with a root from 01 to 20 "
				     "(write \"062\", not \"62\")", code);
	int pi = -1;
	for (int i = 0; i < IMP_PARTIES__COUNT; i++)
		if (strcmp(parties, parties_names[i]) == 0)
			pi = i;
	if (pi < 0)
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "unknown parties \"%s\", expected "
				     "member>member, member>outsider or "
				     "outsider>member", parties);
	int ti = coh_event_type_lookup(type);
	if (ti < 0 || !(imp_type_accepts((coh_event_type)ti, IMP_MEMBER_MEMBER) ||
			imp_type_accepts((coh_event_type)ti, IMP_MEMBER_OUTSIDER) ||
			imp_type_accepts((coh_event_type)ti, IMP_OUTSIDER_MEMBER)))
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "event type \"%s\" cannot be imported, "
				     "expected %s", type, mapping_types);
	if (!imp_type_accepts((coh_event_type)ti, (imp_parties)pi)) {
		const char *ok[3] = {"", "", ""};
		int k = 0;
		for (int i = 0; i < IMP_PARTIES__COUNT; i++)
			if (imp_type_accepts((coh_event_type)ti,
					     (imp_parties)i))
				ok[k++] = parties_names[i];
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "%s cannot come from %s rows, expected "
				     "%s%s%s", type, parties, ok[0],
				     k > 1 ? " or " : "", k > 1 ? ok[1] : "");
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return coh_error_set(err, COH_EINPUT, path, (int)no,
				     "rule %s %s %s has no reason, expected a "
				     "few words on why after the type",
				     code, parties, type);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].code, code) == 0 &&
		    rules[i].parties == (imp_parties)pi)
			return coh_error_set(err, COH_EINPUT, path, (int)no,
					     "a second rule for %s %s, "
					     "expected one rule per code and "
					     "parties", code, parties);
	memcpy(r->code, code, strlen(code) + 1);
	r->parties = (imp_parties)pi;
	r->type = (coh_event_type)ti;
	r->why = p;
	return 0;
}

static int read_all(char **out, size_t *len, const char *path,
		    coh_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return coh_error_set(err, COH_EIO, path, 0, "cannot read: %s",
				     strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = coh_malloc(cap);
	if (!buf) {
		fclose(fp);
		return coh_error_set(err, COH_ENOMEM, path, 0, "out of memory");
	}
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			/* a mapping or alias list is small; refuse a huge one */
			if (cap >= ((size_t)16 << 20)) {
				coh_free(buf);
				fclose(fp);
				return coh_error_set(err, COH_EINPUT, path, 0,
						     "larger than 16 MiB, "
						     "expected a short list");
			}
			char *nb = coh_realloc(buf, cap * 2);
			if (!nb) {
				coh_free(buf);
				fclose(fp);
				return coh_error_set(err, COH_ENOMEM, path, 0,
						     "out of memory");
			}
			buf = nb;
			cap *= 2;
		}
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		coh_free(buf);
		return coh_error_set(err, COH_EIO, path, 0, "cannot read");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Exposed to actors.c through a forward declaration there. */
int imp_read_small_file(char **out, size_t *len, const char *path,
			coh_error *err);
int imp_read_small_file(char **out, size_t *len, const char *path,
			coh_error *err)
{
	return read_all(out, len, path, err);
}

int imp_mapping_load(imp_mapping *m, const char *path, coh_error *err)
{
	memset(m, 0, sizeof *m);
	if (!path) {
		m->rules = default_rules;
		m->n = sizeof default_rules / sizeof default_rules[0];
		m->is_default = 1;
		return 0;
	}
	size_t len;
	int rc = read_all(&m->text, &len, path, err);
	if (rc)
		return rc;
	coh_sha256 sha;
	unsigned char digest[32];
	coh_sha256_init(&sha);
	coh_sha256_update(&sha, m->text, len);
	coh_sha256_final(&sha, digest);
	coh_sha256_hex(m->sha256, digest);

	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += m->text[i] == '\n';
	m->owned = coh_calloc(lines, sizeof *m->owned);
	m->rules = m->owned;
	if (!m->owned) {
		imp_mapping_free(m);
		return coh_error_set(err, COH_ENOMEM, path, 0, "out of memory");
	}
	long no = 0;
	char *p = m->text;
	while (*p) {
		char *line = p;
		char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		no++;
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		/* trailing blanks (of the reason) */
		ll = strlen(line);
		while (ll && (line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			line[--ll] = '\0';
		if (ll == 0 || strspn(line, " \t") == ll)
			continue;
		rc = parse_rule(&m->owned[m->n], line, path, no, m->owned,
				m->n, err);
		if (rc) {
			imp_mapping_free(m);
			return rc;
		}
		m->n++;
	}
	if (m->n == 0) {
		imp_mapping_free(m);
		return coh_error_set(err, COH_EINPUT, path, 0,
				     "no rules, expected lines \"CODE PARTIES "
				     "TYPE REASON\"");
	}
	return 0;
}

static int is_prefix(const char *rule, const char *code)
{
	size_t n = strlen(rule);
	return strncmp(rule, code, n) == 0;
}

const imp_rule *imp_mapping_find(const imp_mapping *m, const char *code,
				 imp_parties parties)
{
	const imp_rule *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < m->n; i++) {
		const imp_rule *r = &m->rules[i];
		size_t len = strlen(r->code);
		if (r->parties == parties && len > best_len &&
		    is_prefix(r->code, code)) {
			best = r;
			best_len = len;
		}
	}
	return best;
}

int imp_mapping_knows(const imp_mapping *m, const char *code)
{
	for (size_t i = 0; i < m->n; i++)
		if (is_prefix(m->rules[i].code, code))
			return 1;
	return 0;
}
