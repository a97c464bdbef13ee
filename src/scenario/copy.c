/* Copies a parsed libconfig tree, every setting with the file and line it
 * was read from, so that a scenario read once can be built many times
 * with different overrides (a sweep's points) and its errors still name
 * the file and line they are about.  libconfig 1.5 has no copy of its
 * own. */
#include "internal.h"

#include <string.h>

typedef struct copy_state {
	const coh_scenario *from;
	coh_scenario *to;
	const char *last_from;  /* the last file mapped, and what it became */
	const char *last_to;
} copy_state;

/* The copy's name for a setting's file: NULL for the scenario itself,
 * else the copy's own string for the included file (settings in one file
 * come in runs, hence the one-entry cache). */
static const char *file_of(copy_state *st, const char *file)
{
	if (!file)
		return NULL;
	if (file == st->last_from)
		return st->last_to;
	const char *to = NULL;
	for (size_t i = 0; i < st->from->n_files && !to; i++)
		if (strcmp(st->from->files[i].raw, file) == 0)
			to = st->to->files[i].raw;
	st->last_from = file;
	st->last_to = to;
	return to;
}

static int copy_children(copy_state *st, config_setting_t *to,
			 const config_setting_t *from);

static int copy_value(copy_state *st, config_setting_t *to,
		      const config_setting_t *from)
{
	switch (config_setting_type(from)) {
	case CONFIG_TYPE_INT:
		return config_setting_set_int(to, config_setting_get_int(from));
	case CONFIG_TYPE_INT64:
		return config_setting_set_int64(to,
						config_setting_get_int64(from));
	case CONFIG_TYPE_FLOAT:
		return config_setting_set_float(to,
						config_setting_get_float(from));
	case CONFIG_TYPE_STRING:
		return config_setting_set_string(to,
						 config_setting_get_string(from));
	case CONFIG_TYPE_BOOL:
		return config_setting_set_bool(to, config_setting_get_bool(from));
	default:
		return copy_children(st, to, from);
	}
}

static int copy_children(copy_state *st, config_setting_t *to,
			 const config_setting_t *from)
{
	int n = config_setting_length(from);
	for (int i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(from,
								    (unsigned)i);
		config_setting_t *d = config_setting_add(to,
							 config_setting_name(c),
							 config_setting_type(c));
		if (!d || copy_value(st, d, c) != CONFIG_TRUE)
			return CONFIG_FALSE;
		/* libconfig has no setter for where a setting was read; the
		 * fields are public. */
		d->line = c->line;
		d->file = file_of(st, c->file);
		d->format = c->format;
	}
	return CONFIG_TRUE;
}

int scn_copy_tree(coh_scenario *to, const coh_scenario *from)
{
	copy_state st = {from, to, NULL, NULL};
	config_init(&to->cfg);
	to->cfg_live = 1;
	return copy_children(&st, config_root_setting(&to->cfg),
			     config_root_setting(&from->cfg)) == CONFIG_TRUE
		       ? 0 : COH_ENOMEM;
}
