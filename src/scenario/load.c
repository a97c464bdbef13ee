/* Loading a scenario: check includes, let libconfig parse, apply --set
 * overrides, validate into a coh_model, and report every error found in
 * file order.  The scenario handle keeps the libconfig tree (the model's
 * strings point into it) and an arena for the model's arrays. */
#include "internal.h"
#include "core/alloc.h"

#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The folder a path's file is in: "" for a bare file name (the current
 * folder, which is where libconfig looks without an include folder). */
static char *folder_of(scn_ctx *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return scn_strdup(ctx, "");
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	char *p = scn_alloc(ctx, n + 1, 1);
	if (p)
		memcpy(p, path, n);
	return p;
}

/* The parent of a folder, written as the user would: "tests/bad" ->
 * "tests", "scenarios" -> ".", "" -> "..", "../x/.." -> "../x/../..". */
static char *parent_of(scn_ctx *ctx, const char *folder)
{
	if (!folder[0])
		return scn_strdup(ctx, "..");
	if (strcmp(folder, "/") == 0)
		return scn_strdup(ctx, "/");
	const char *slash = strrchr(folder, '/');
	const char *last = slash ? slash + 1 : folder;
	if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		size_t n = strlen(folder) + 4;
		char *p = scn_alloc(ctx, n, 1);
		if (p)
			snprintf(p, n, "%s/..", folder);
		return p;
	}
	if (!slash)
		return scn_strdup(ctx, ".");
	return folder_of(ctx, folder);
}

/* libconfig may only have read the files the include check approved; a
 * difference means the check misread the text, and the load must not go
 * on with a file nobody confined.  (The scenario itself is parsed from
 * its text, so every file libconfig names is an include.) */
static void check_read_files(scn_ctx *ctx)
{
	const config_t *cfg = &ctx->sc->cfg;
	for (unsigned i = 0; i < cfg->num_filenames; i++) {
		size_t k = 0;
		while (k < ctx->sc->n_files &&
		       strcmp(ctx->sc->files[k].raw, cfg->filenames[i]) != 0)
			k++;
		if (k == ctx->sc->n_files)
			scn_error_at(ctx, ctx->main_name, 0,
				     "libconfig included \"%s\", which the "
				     "include check did not see; refusing it",
				     cfg->filenames[i]);
	}
}

static int msg_order(const void *a, const void *b)
{
	const scn_msg *x = a, *y = b;
	/* Before the tree (includes, parsing, --set), then by tree
	 * position, a group before what is inside it. */
	if ((x->depth < 0) != (y->depth < 0))
		return x->depth < 0 ? -1 : 1;
	int n = x->depth < y->depth ? x->depth : y->depth;
	for (int i = 0; i < n; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i] ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the errors to the caller in file order, and frees the context. */
static int finish(scn_ctx *ctx, coh_diag *diag, int rc)
{
	if (ctx->nomem)
		rc = COH_ENOMEM;
	else if (rc == 0 && ctx->n_msgs)
		rc = COH_EINPUT;
	if (ctx->n_msgs)
		qsort(ctx->msgs, ctx->n_msgs, sizeof *ctx->msgs, msg_order);
	for (size_t i = 0; diag && i < ctx->n_msgs; i++)
		if (coh_diag_push(diag, &ctx->msgs[i].err) == COH_ENOMEM) {
			rc = COH_ENOMEM;
			break;
		}
	if (rc == COH_ENOMEM && diag)
		coh_diag_add(diag, COH_ENOMEM, ctx->main_name, 0,
			     "out of memory while loading the scenario");
	coh_free(ctx->msgs);
	coh_free(ctx->ovr);
	return rc;
}

/* Names, the include folder and the include root. */
static int prepare(scn_ctx *ctx, const char *path, const char *name,
		   const coh_load_options *opts)
{
	coh_scenario *sc = ctx->sc;
	sc->path = scn_strdup(ctx, name);
	ctx->folder = path ? folder_of(ctx, path) : "";
	if (!sc->path || !ctx->folder)
		return COH_ENOMEM;
	ctx->main_name = sc->path;
	ctx->root = opts && opts->include_root ? opts->include_root
					       : parent_of(ctx, ctx->folder);
	return ctx->root ? 0 : COH_ENOMEM;
}

/* Hands the checked text to libconfig.  The text, not the file: the
 * file was read once, and reading it again could parse other bytes than
 * the ones the include check saw. */
static int parse(scn_ctx *ctx, const char *text)
{
	config_t *cfg = &ctx->sc->cfg;
	config_init(cfg);
	ctx->sc->cfg_live = 1;
	if (ctx->folder[0])
		config_set_include_dir(cfg, ctx->folder);
	/* libconfig reads a literal too large for a double as inf, which
	 * validation refuses with a message; hold the overflow so that builds
	 * with floating-point traps (FP_TRAPS=1) do not stop on it. */
	fenv_t env;
	feholdexcept(&env);
	int ok = config_read_string(cfg, text);
	fesetenv(&env);
	if (!ok) {
		/* an included file by the path errors show, which is
		 * the path from the current folder */
		const char *file = config_error_file(cfg);
		const char *shown = scn_display_name(ctx, file);
		char what[COH_ERROR_MSG_MAX];
		if (config_error_type(cfg) == CONFIG_ERR_PARSE &&
		    strcmp(config_error_text(cfg), "syntax error") == 0)
			scn_syntax_message(what, sizeof what,
					   file ? NULL : text, shown,
					   config_error_line(cfg));
		else
			snprintf(what, sizeof what, "%s",
				 config_error_text(cfg));
		scn_error_at(ctx, shown, config_error_line(cfg), "%s", what);
		return config_error_type(cfg) == CONFIG_ERR_FILE_IO ? COH_EIO
								    : COH_EINPUT;
	}
	check_read_files(ctx);
	return ctx->n_msgs ? COH_EINPUT : 0;
}

/*--- Reading once ---*/

/* Reads and parses a scenario: path is the file to read, or NULL when
 * text holds the scenario.  No override, no validation. */
static int read_source(coh_scenario_source **out, const char *path,
		       const char *text, const char *name,
		       const char *include_root, coh_diag *diag)
{
	coh_scenario_source *src = coh_calloc(1, sizeof *src);
	if (!src) {
		if (diag)
			coh_diag_add(diag, COH_ENOMEM, name, 0, "out of memory "
				     "while loading the scenario");
		return COH_ENOMEM;
	}
	scn_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.sc = &src->parsed;
	ctx.main_name = name;
	ctx.file_path = path;
	coh_load_options lo = {include_root, NULL, 0};
	int rc = prepare(&ctx, path, name, &lo);

	char *owned = NULL;
	if (rc == 0 && path) {
		int err_no = 0;
		rc = scn_read_text(path, &owned, &err_no);
		if (rc == COH_EIO) {
			scn_error_at(&ctx, name, 0, "cannot read the scenario: "
				     "%s", strerror(err_no));
			if (ctx.n_msgs)
				ctx.msgs[ctx.n_msgs - 1].err.code = COH_EIO;
		}
		text = owned;
	}
	if (rc == 0)
		rc = scn_check_includes(&ctx, text);
	if (rc == 0)
		rc = parse(&ctx, text);
	coh_free(owned);
	rc = finish(&ctx, diag, rc);
	if (rc == 0)
		*out = src;
	else
		coh_scenario_source_free(src);
	return rc;
}

int coh_scenario_source_read(coh_scenario_source **out, const char *path,
			     const char *include_root, coh_diag *diag)
{
	return read_source(out, path, NULL, path, include_root, diag);
}

const char *coh_scenario_source_path(const coh_scenario_source *source)
{
	return source->parsed.path;
}

void coh_scenario_source_free(coh_scenario_source *source)
{
	if (!source)
		return;
	if (source->parsed.cfg_live)
		config_destroy(&source->parsed.cfg);
	coh_free(source->parsed.files);
	scn_arena_free(source->parsed.arena);
	coh_free(source);
}

/*--- Building a scenario from its source ---*/

/* The source's name and included files, owned by the new scenario. */
static int take_names(scn_ctx *ctx, const coh_scenario *from)
{
	coh_scenario *sc = ctx->sc;
	sc->path = scn_strdup(ctx, from->path);
	if (!sc->path)
		return COH_ENOMEM;
	ctx->main_name = sc->path;
	if (!from->n_files)
		return 0;
	sc->files = coh_calloc(from->n_files, sizeof *sc->files);
	if (!sc->files)
		return COH_ENOMEM;
	for (size_t i = 0; i < from->n_files; i++) {
		sc->files[i].raw = scn_strdup(ctx, from->files[i].raw);
		sc->files[i].display = scn_strdup(ctx, from->files[i].display);
		if (!sc->files[i].raw || !sc->files[i].display)
			return COH_ENOMEM;
		sc->n_files = i + 1;
	}
	return 0;
}

int coh_scenario_load_source(coh_scenario **out,
			     const coh_scenario_source *source,
			     const char *const *overrides, size_t n_overrides,
			     coh_diag *diag)
{
	const char *name = source->parsed.path;
	coh_scenario *sc = coh_calloc(1, sizeof *sc);
	if (!sc) {
		if (diag)
			coh_diag_add(diag, COH_ENOMEM, name, 0, "out of memory "
				     "while loading the scenario");
		return COH_ENOMEM;
	}
	scn_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.sc = sc;
	ctx.main_name = name;
	int rc = take_names(&ctx, &source->parsed);
	if (rc == 0)
		rc = scn_copy_tree(sc, &source->parsed);
	if (rc == 0) {
		coh_load_options lo = {NULL, overrides, n_overrides};
		rc = scn_apply_overrides(&ctx, &lo);
		/* A bad override is reported with everything else. */
		if (rc == COH_EINPUT)
			rc = 0;
	}
	if (rc == 0) {
		scn_index_tree(&sc->cfg);
		scn_convert(&ctx);
	}
	rc = finish(&ctx, diag, rc);
	if (rc == 0)
		*out = sc;
	else
		coh_scenario_free(sc);
	return rc;
}

/*--- One load: read, then build ---*/

static int load(coh_scenario **out, const char *path, const char *text,
		const char *name, const coh_load_options *opts, coh_diag *diag)
{
	coh_scenario_source *src = NULL;
	int rc = read_source(&src, path, text, name,
			     opts ? opts->include_root : NULL, diag);
	if (rc)
		return rc;
	rc = coh_scenario_load_source(out, src, opts ? opts->overrides : NULL,
				      opts ? opts->n_overrides : 0, diag);
	coh_scenario_source_free(src);
	return rc;
}

int coh_scenario_load(coh_scenario **out, const char *path,
		      const coh_load_options *opts, coh_diag *diag)
{
	return load(out, path, NULL, path, opts, diag);
}
int coh_scenario_load_string(coh_scenario **out, const char *text,
			     const char *name, const coh_load_options *opts,
			     coh_diag *diag)
{
	return load(out, NULL, text, name ? name : "<string>", opts, diag);
}

const coh_model *coh_scenario_model(const coh_scenario *scenario)
{
	return &scenario->model;
}

const char *coh_scenario_path(const coh_scenario *scenario)
{
	return scenario->path;
}

void coh_scenario_free(coh_scenario *scenario)
{
	if (!scenario)
		return;
	if (scenario->cfg_live)
		config_destroy(&scenario->cfg);
	coh_free(scenario->files);
	scn_arena_free(scenario->arena);
	coh_free(scenario);
}
