/* The actor index: which member or outsider a name in the event data stands
 * for.  Every id, name and `aliases` entry of the scenario is a key, and an
 * actors file adds more ("RUS Russian Federation").  Keys compare without case, with runs
 * of blanks read as one space, so "UNITED  states" finds "United States". */
#include "import/internal.h"
#include "core/alloc.h"

#include <ctype.h>
#include <string.h>

int imp_read_small_file(char **out, size_t *len, const char *path,
			coh_error *err);

uint64_t imp_hash(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* name folded into buf (lower case, blanks collapsed, trimmed); the
 * length, or -1 when it does not fit. */
static int fold(char *buf, size_t size, const char *name)
{
	size_t n = 0;
	int space = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			space = n > 0;
			continue;
		}
		if (space) {
			if (n + 1 >= size)
				return -1;
			buf[n++] = ' ';
			space = 0;
		}
		if (n + 1 >= size)
			return -1;
		buf[n++] = (char)tolower(*p);
	}
	buf[n] = '\0';
	return (int)n;
}

#define KEY_MAX 256

static size_t slot_of(const imp_actors *a, const char *key)
{
	size_t i = (size_t)imp_hash(key, strlen(key), 0) & (a->cap - 1);
	while (a->keys[i] && strcmp(a->keys[i], key) != 0)
		i = (i + 1) & (a->cap - 1);
	return i;
}

int imp_actors_find(const imp_actors *a, const char *name)
{
	char key[KEY_MAX];
	if (a->cap == 0 || fold(key, sizeof key, name) <= 0)
		return -1;
	size_t i = slot_of(a, key);
	return a->keys[i] ? a->party[i] : -1;
}

static int grow(imp_actors *a)
{
	size_t cap = a->cap ? a->cap * 2 : 64;
	char **keys = coh_calloc(cap, sizeof *keys);
	int *party = coh_calloc(cap, sizeof *party);
	if (!keys || !party) {
		coh_free(keys);
		coh_free(party);
		return COH_ENOMEM;
	}
	imp_actors old = *a;
	a->keys = keys;
	a->party = party;
	a->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i]) {
			size_t j = slot_of(a, old.keys[i]);
			a->keys[j] = old.keys[i];
			a->party[j] = old.party[i];
		}
	coh_free(old.keys);
	coh_free(old.party);
	return 0;
}

/* Adds name for party.  The same name for the same party again is fine
 * (an id that is also the name); for another party it is a conflict, and
 * *other receives that party. */
static int add(imp_actors *a, const char *name, int party, int *other)
{
	char key[KEY_MAX] = {0};    /* zeroed for clang's analyser */
	*other = -1;
	if (fold(key, sizeof key, name) <= 0)
		return 0;
	if ((a->n + 1) * 2 > a->cap) {
		int rc = grow(a);
		if (rc)
			return rc;
	}
	size_t i = slot_of(a, key);
	if (a->keys[i]) {
		if (a->party[i] != party) {
			*other = a->party[i];
			return COH_EINPUT;
		}
		return 0;
	}
	a->keys[i] = coh_strdup(key);
	if (!a->keys[i])
		return COH_ENOMEM;
	a->party[i] = party;
	a->n++;
	return 0;
}

void imp_actors_free(imp_actors *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->cap; i++)
		coh_free(a->keys[i]);
	coh_free(a->keys);
	coh_free(a->party);
	memset(a, 0, sizeof *a);
}

static const char *party_id(const coh_model *m, int party)
{
	return (size_t)party < m->n_members
		       ? m->members[party].id
		       : m->outsiders[(size_t)party - m->n_members].id;
}

static int find_id(const coh_model *m, const char *id)
{
	for (size_t i = 0; i < m->n_members; i++)
		if (strcmp(m->members[i].id, id) == 0)
			return (int)i;
	for (size_t i = 0; i < m->n_outsiders; i++)
		if (strcmp(m->outsiders[i].id, id) == 0)
			return (int)(m->n_members + i);
	return -1;
}

static int load_aliases(imp_actors *a, const coh_model *m, const char *path,
			char sha256[65], coh_error *err)
{
	char *text;
	size_t len;
	int rc = imp_read_small_file(&text, &len, path, err);
	if (rc)
		return rc;
	coh_sha256 sha;
	unsigned char digest[32];
	coh_sha256_init(&sha);
	coh_sha256_update(&sha, text, len);
	coh_sha256_final(&sha, digest);
	coh_sha256_hex(sha256, digest);

	long no = 0;
	char *p = text;
	while (*p && rc == 0) {
		char *line = p;
		char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		no++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		size_t ll = strlen(line);
		while (ll && isspace((unsigned char)line[ll - 1]))
			line[--ll] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			continue;
		char *alias = line + strcspn(line, " \t");
		if (*alias)
			*alias++ = '\0';
		while (*alias == ' ' || *alias == '\t')
			alias++;
		int party = find_id(m, line);
		if (party < 0) {
			rc = coh_error_set(err, COH_EINPUT, path, (int)no,
					   "\"%s\" is no member or outsider of "
					   "the scenario, expected an id "
					   "followed by an alias", line);
			break;
		}
		if (!*alias) {
			rc = coh_error_set(err, COH_EINPUT, path, (int)no,
					   "no alias after %s, expected \"ID "
					   "alias words\"", line);
			break;
		}
		int other;
		rc = add(a, alias, party, &other);
		if (rc == COH_EINPUT)
			coh_error_set(err, rc, path, (int)no,
				      "alias \"%s\" already stands for %s, "
				      "expected each name to mean one party",
				      alias, party_id(m, other));
		else if (rc)
			coh_error_set(err, rc, path, (int)no, "out of memory");
	}
	coh_free(text);
	return rc;
}

int imp_actors_build(imp_actors *a, const coh_model *m, const char *path,
		     char sha256[65], coh_error *err)
{
	memset(a, 0, sizeof *a);
	sha256[0] = '\0';
	size_t n = m->n_members + m->n_outsiders;
	int rc = 0;
	/* ids first: a name that equals another party's id is refused below
	 * rather than shadowing the id */
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < n && rc == 0; i++) {
			const char *id = party_id(m, (int)i);
			const char *name = i < m->n_members
				? m->members[i].name
				: m->outsiders[i - m->n_members].name;
			int other;
			rc = add(a, pass == 0 ? id : (name ? name : id),
				 (int)i, &other);
			if (rc == COH_EINPUT)
				coh_error_set(err, rc,
					      i < m->n_members
						      ? m->members[i].file : "",
					      i < m->n_members
						      ? m->members[i].line : 0,
					      "the name \"%s\" of %s is also "
					      "%s, expected names that tell "
					      "the parties apart", name, id,
					      party_id(m, other));
			else if (rc)
				coh_error_set(err, rc, "", 0, "out of memory");
		}
	/* then the scenario's own aliases */
	for (size_t k = 0; k < m->n_aliases && rc == 0; k++) {
		const coh_alias *al = &m->aliases[k];
		int other;
		rc = add(a, al->name, al->party, &other);
		if (rc == COH_EINPUT)
			coh_error_set(err, rc, "", 0,
				      "%s: the alias \"%s\" of %s already "
				      "stands for %s, expected each name to "
				      "mean one party", m->name, al->name,
				      party_id(m, al->party),
				      party_id(m, other));
		else if (rc)
			coh_error_set(err, rc, "", 0, "out of memory");
	}
	if (rc == 0 && path)
		rc = load_aliases(a, m, path, sha256, err);
	if (rc)
		imp_actors_free(a);
	return rc;
}
