/* The table of event kinds (src/core/catalogue.c) against what depends on
 * it: its own consistency, and the tables of docs/model.md and
 * docs/scenario-format.md, which must describe each kind as the table
 * does (run from the repository's root, as make test does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cohesim/model.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	char *text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The table row that starts with "| `name`" (up to its newline), copied
 * into row; fails when there is none. */
static void find_row(const char *text, const char *name, char *row,
		     size_t size)
{
	char head[64];
	snprintf(head, sizeof head, "\n| `%s`", name);
	const char *at = strstr(text, head);
	if (!at)
		fail_msg("no table row for `%s`", name);
	at++;
	size_t n = strcspn(at, "\n");
	assert_true(n < size);
	memcpy(row, at, n);
	row[n] = '\0';
}

static void has(const char *row, const char *what, const char *name)
{
	if (!strstr(row, what))
		fail_msg("the row of `%s` does not say \"%s\": %s", name, what,
			 row);
}

static void has_key(const char *row, const char *key, const char *name)
{
	char quoted[64];
	snprintf(quoted, sizeof quoted, "`%s`", key);
	has(row, quoted, name);
}

static void test_kinds_are_consistent(void **state)
{
	(void)state;
	assert_null(coh_event_kind_info(COH_EV__COUNT));
	assert_null(coh_event_kind_info((coh_event_type)-1));
	for (int t = 0; t < COH_EV__COUNT; t++) {
		const coh_event_kind *k = coh_event_kind_info((coh_event_type)t);
		assert_non_null(k);
		assert_string_equal(k->name, coh_event_type_name((coh_event_type)t));
		assert_int_equal(coh_event_type_lookup(k->name), t);
		/* a key exactly where a part is given */
		const coh_event_slot *slots[] = {&k->actor, &k->target,
						 &k->outsider, &k->list,
						 &k->magnitude};
		for (size_t i = 0; i < 5; i++)
			assert_true((slots[i]->key != NULL) ==
				    (slots[i]->need != COH_NEED_NONE));
		assert_true(k->per > 0);
		assert_true(k->weight >= -1 && k->weight < COH_W__COUNT);
		/* the version 1 timeline types are the first ones, as
		 * model.h says; version 2 appends types of either sort
		 * after the generated ones (withdrawal and dispute are
		 * timeline types, accession is not) */
		if (t <= COH_EV_EXIT)
			assert_int_equal((k->flags & COH_KIND_TIMELINE) != 0,
					 t < COH_EV__TIMELINE_COUNT);
		else
			assert_int_equal((k->flags & COH_KIND_TIMELINE) != 0,
					 t != COH_EV_ACCESSION);
		/* a generated event has its member and a magnitude */
		if (k->generated_as != COH_GEN_NEVER)
			assert_non_null(k->magnitude.key);
		/* a weighted impact has a code to justify its default */
		if (k->weight >= 0 && k->receives != COH_RECEIVES_LIST)
			assert_non_null(k->cameo);
	}
	assert_true(coh_range_holds(COH_RANGE_TONE, -10));
	assert_false(coh_range_holds(COH_RANGE_TONE, 10.5));
	assert_false(coh_range_holds(COH_RANGE_ANY, INFINITY));
	assert_false(coh_range_holds(COH_RANGE_UNIT, NAN));
	assert_false(coh_range_holds(COH_RANGE_HALF_LIFE, 5e-7));
	assert_true(coh_range_holds(COH_RANGE_HALF_LIFE, 0));
	assert_string_equal(coh_range_text(COH_RANGE_UNIT), "in [0, 1]");
}

/* docs/model.md section 4: one row per kind, with its effect, weight key,
 * default weight and CAMEO code as the table has them. */
static void test_model_md_matches(void **state)
{
	(void)state;
	char *text = slurp("docs/model.md");
	char row[2048], buf[64];
	for (int t = 0; t < COH_EV__COUNT; t++) {
		const coh_event_kind *k = coh_event_kind_info((coh_event_type)t);
		find_row(text, k->name, row, sizeof row);
		has(row, k->effect, k->name);
		if (k->weight >= 0) {
			coh_weight_key w = (coh_weight_key)k->weight;
			has_key(row, coh_weight_key_name(w), k->name);
			snprintf(buf, sizeof buf, "%+.2f", coh_default_weight(w));
			has(row, buf, k->name);
		}
		if (k->cameo) {
			/* the code, and the Goldstein score in brackets */
			snprintf(buf, sizeof buf, "%.*s", (int)strcspn(k->cameo, " "),
				 k->cameo);
			has(row, buf, k->name);
			const char *score = strchr(k->cameo, '(');
			snprintf(buf, sizeof buf, "%.*s", (int)strcspn(score, ")") + 1,
				 score);
			has(row, buf, k->name);
		}
		if (k->why)
			has(row, k->why, k->name);
	}
	free(text);
}

/* docs/scenario-format.md: every timeline type's row names its keys, and
 * the generator table names every type that can be generated with its
 * outsider and magnitude keys. */
static void test_scenario_format_md_matches(void **state)
{
	(void)state;
	char *text = slurp("docs/scenario-format.md");
	const char *gens = strstr(text, "\n## generators");
	assert_non_null(gens);
	char row[2048];
	for (int t = 0; t < COH_EV__COUNT; t++) {
		const coh_event_kind *k = coh_event_kind_info((coh_event_type)t);
		if (k->flags & COH_KIND_TIMELINE) {
			find_row(text, k->name, row, sizeof row);
			const coh_event_slot *slots[] = {&k->actor, &k->target,
							 &k->outsider, &k->list,
							 &k->magnitude};
			for (size_t i = 0; i < 5; i++)
				if (slots[i]->key)
					has_key(row, slots[i]->key, k->name);
			if (k->flags & COH_KIND_REQUEST) {
				has_key(row, "deadline", k->name);
				has_key(row, "in_scope", k->name);
				has_key(row, "answers", k->name);
			}
			if (k->flags & COH_KIND_SET)
				has_key(row, "field", k->name);
			if (k->range != COH_RANGE_ANY &&
			    k->range != COH_RANGE_NONNEG)
				has(row, coh_range_text(k->range) + 3, k->name);
		}
		char quoted[64];
		snprintf(quoted, sizeof quoted, "`%s`", k->name);
		const char *at = strstr(gens, quoted);
		/* in the generator table exactly when it can be generated */
		int listed = 0;
		for (; at; at = strstr(at + 1, quoted)) {
			const char *line = at;
			while (line > gens && line[-1] != '\n')
				line--;
			if (line[0] != '|')
				continue;
			listed = 1;
			size_t n = strcspn(line, "\n");
			snprintf(row, sizeof row, "%.*s", (int)n, line);
		}
		assert_int_equal(listed, k->generated_as != COH_GEN_NEVER);
		if (!listed)
			continue;
		if (k->outsider.key)
			has_key(row, k->outsider.key, k->name);
		has_key(row, k->magnitude.key, k->name);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_are_consistent),
		cmocka_unit_test(test_model_md_matches),
		cmocka_unit_test(test_scenario_format_md_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
