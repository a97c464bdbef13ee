/* Loading a scenario: check includes, let libconfig parse, apply --set
 * overrides, validate into a coh_model, and report every error found in
 * file order.  The scenario handle keeps the libconfig tree (the model's
 * strings point into it) and an arena for the model's arrays. */
#include "internal.h"
#include "core/alloc.h"

#include <fenv.h>
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
 * on with a file nobody confined. */
static void check_read_files(scn_ctx *ctx)
{
	const config_t *cfg = &ctx->sc->cfg;
	for (unsigned i = 1; i < cfg->num_filenames; i++) {
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

/* Hands the checked text (or file) to libconfig. */
static int parse(scn_ctx *ctx, const char *path, const char *text)
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
	int ok = path ? config_read_file(cfg, path)
		      : config_read_string(cfg, text);
	fesetenv(&env);
	if (!ok) {
		scn_error_at(ctx, scn_display_name(ctx, config_error_file(cfg)),
			     config_error_line(cfg), "%s",
			     config_error_text(cfg));
		return config_error_type(cfg) == CONFIG_ERR_FILE_IO ? COH_EIO
								    : COH_EINPUT;
	}
	check_read_files(ctx);
	return ctx->n_msgs ? COH_EINPUT : 0;
}

/* The common path of both entry points: path is the file to read, or NULL
 * when text holds the scenario. */
static int load(coh_scenario **out, const char *path, const char *text,
		const char *name, const coh_load_options *opts, coh_diag *diag)
{
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
	ctx.file_path = path;
	int rc = prepare(&ctx, path, name, opts);

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
		rc = parse(&ctx, path, text);
	coh_free(owned);
	if (rc == 0) {
		rc = scn_apply_overrides(&ctx, opts);
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
