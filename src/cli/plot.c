/* `cohesim plot DIR`: redraws the figures of a finished run, comparison,
 * sweep, attribution, sensitivity analysis, calibration or backtest from
 * the files in DIR, in
 * another format if asked, and then the folder's report.html, if it has
 * one, so that the page shows the figures as they are now (a run's and a
 * comparison's keep their tables: only their figures are drawn again).  The
 * scenario's names and dates come from DIR/scenario.resolved.cfg. */
#include "cli.h"
#include "cohesim/output.h"
#include "core/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char plot_help[] =
	"Usage: cohesim plot DIR [OPTIONS]\n"
	"\n"
	"Redraws the figures of a finished run, compare, sweep, attribution,\n"
	"sensitivity analysis, calibration or backtest from the CSV files in\n"
	"DIR (which must hold\n"
	"scenario.resolved.cfg), then report.html when DIR holds one (a\n"
	"run's and a comparison's keep their tables and get the new figures).\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT     png (default), svg, pdf or dumb (text on\n"
	"                          stdout)\n"
	"      --members ID,ID...  draw only these members (default: all)\n"
	"      --title TEXT        the figures' title (default: the scenario's)\n"
	"      --metric M          a sweep's map besides cohesion: exit (the\n"
	"                          member most likely to exit; default),\n"
	"                          freeze, exit:ID or freeze:ID\n"
	"  -q, --quiet             no closing message\n"
	"  -h, --help              show this help\n";

enum { OPT_FORMAT = 1, OPT_MEMBERS, OPT_METRIC, OPT_TITLE, OPT_QUIET,
       OPT_HELP };

static const cli_option plot_options[] = {
	{"format", 'f', 1, OPT_FORMAT},
	{"members", 0, 1, OPT_MEMBERS},
	{"metric", 0, 1, OPT_METRIC},
	{"title", 0, 1, OPT_TITLE},
	{"quiet", 'q', 0, OPT_QUIET},
	{"help", 'h', 0, OPT_HELP},
	{NULL, 0, 0, 0},
};

/* "dir/name" in path, which has room for every name used here (see
 * cli_plot). */
static const char *in_dir(char *path, const char *dir, const char *name)
{
	sprintf(path, "%s/%s", dir, name);
	return path;
}

static int has(char *path, const char *dir, const char *name)
{
	return access(in_dir(path, dir, name), R_OK) == 0;
}

/* The axis paths of a sweep: the header of points.csv after "point". */
static int read_axes(char *path, const char *dir, char *line, size_t size,
		     const char **axes, size_t max, size_t *n)
{
	FILE *fp = fopen(in_dir(path, dir, "points.csv"), "r");
	if (!fp || !fgets(line, (int)size, fp)) {
		if (fp)
			fclose(fp);
		return -1;
	}
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	*n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(line, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "point") != 0 && *n < max)
			axes[(*n)++] = tok;
	return 0;
}

/* The quantities of a sensitivity analysis or an attribution, for its
 * figure's panels: the first fields of name (sensitivity-figure.csv or
 * attribution-bars.csv), whose rows come grouped by quantity, kept in
 * buf; *morris says whether the header is that of Morris's figure. */
static int read_qois(char *path, const char *dir, const char *name,
		     char *buf, size_t size, const char **qois, size_t max,
		     size_t *n, int *morris)
{
	FILE *fp = fopen(in_dir(path, dir, name), "r");
	char line[1024];
	if (!fp || !fgets(line, sizeof line, fp)) {
		if (fp)
			fclose(fp);
		return -1;
	}
	*morris = strstr(line, "mu_star") != NULL;
	size_t used = 0;
	*n = 0;
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, ",\r\n")] = '\0';
		if (*n && strcmp(qois[*n - 1], line) == 0)
			continue;
		size_t len = strlen(line) + 1;
		if (*n == max || used + len > size)
			break;
		memcpy(buf + used, line, len);
		qois[(*n)++] = buf + used;
		used += len;
	}
	fclose(fp);
	return *n ? 0 : -1;
}

/* DIR/manifest.json, or NULL after saying why on stderr. */
static json_t *read_manifest(char *path, const char *dir)
{
	json_error_t why;
	json_t *man = json_load_file(in_dir(path, dir, "manifest.json"), 0,
				     &why);
	if (!man)
		fprintf(stderr, "cohesim: %s:%d: cannot read the manifest: "
			"%s\n", path, why.line, why.text);
	return man;
}

/* The priors' paths of a calibration, its figures' axes, from its
 * manifest's "calibration" entry. */
static int read_priors(json_t *man, const char **axes, size_t max,
		       size_t *n)
{
	json_t *priors = json_object_get(json_object_get(man, "calibration"),
					 "priors");
	*n = 0;
	for (size_t i = 0; i < json_array_size(priors) && *n < max; i++) {
		const char *p = json_string_value(json_object_get(
			json_array_get(priors, i), "path"));
		if (!p)
			return -1;
		axes[(*n)++] = p;
	}
	return *n ? 0 : -1;
}

/* The figures' title as calibrate and backtest compose it, from the
 * manifest (the particles and final eps; the cutoff on the recorded
 * command line, and whether a posterior was drawn from). */
static void compose_title(char *out, size_t size, const char *title,
			  json_t *man, int calibration)
{
	if (calibration) {
		json_t *cal = json_object_get(man, "calibration");
		snprintf(out, size, "%s: calibration, %" JSON_INTEGER_FORMAT
			 " particles, eps %g", title,
			 json_integer_value(json_object_get(cal, "particles")),
			 json_number_value(json_object_get(cal, "final_eps")));
		return;
	}
	json_t *cmd = json_object_get(man, "command_line");
	const char *cutoff = "?";
	for (size_t i = 0; i < json_array_size(cmd); i++) {
		const char *w = json_string_value(json_array_get(cmd, i));
		if (w && strcmp(w, "--cutoff") == 0 &&
		    json_string_value(json_array_get(cmd, i + 1)))
			cutoff = json_string_value(json_array_get(cmd, i + 1));
		else if (w && strncmp(w, "--cutoff=", 9) == 0)
			cutoff = w + 9;
	}
	snprintf(out, size, "%s: backtest from %s%s", title, cutoff,
		 json_object_get(man, "posterior") ? " (posterior)" : "");
}

/* The report.html of a run or a comparison with its figures drawn again
 * (as SVG, whatever --format says); its tables stay as they are, for
 * their data have not changed.  A gnuplot that fails costs the page its
 * figures, as in run; without gnuplot the page is left as it is. */
static int refigure(const char *dir, const coh_model *shown,
		    const cli_figure_opts *chosen, const char *const *figs,
		    size_t n_figs, int *written, coh_error *err)
{
	char *svg[3] = {NULL, NULL, NULL};
	const char *captions[3];
	int missing = 0;
	char why[COH_ERROR_MSG_MAX + 64] = "";
	coh_error draw_err = {0};
	int rc = cli_draw_svg(dir, shown, chosen, figs, n_figs, NULL, 0, svg,
			      &missing, &draw_err);
	if (rc == COH_EIO) {
		fprintf(stderr, "cohesim: warning: report.html has no "
			"figures: %s\n", draw_err.message);
		snprintf(why, sizeof why, "The figures could not be drawn: %s",
			 draw_err.message);
		rc = 0;
	} else if (rc) {
		*err = draw_err;
	}
	/* without gnuplot (plot has said so), the page keeps its figures */
	if (missing)
		return 0;
	for (size_t i = 0; i < n_figs; i++)
		captions[i] = cli_report_caption(figs[i]);
	cli_report_page page = {
		.dir = dir, .svg = svg, .captions = captions,
		.n_figures = n_figs, .no_figures = why[0] ? why : NULL,
	};
	if (!rc)
		rc = cli_report_refigure(&page, err);
	*written = !rc;
	for (size_t i = 0; i < n_figs; i++)
		coh_free(svg[i]);
	return rc;
}

int cli_plot(int argc, char **argv, int first)
{
	const char *dir = NULL;
	cli_figure_opts chosen = {0};
	const char *title = NULL;
	coh_plot_format format = COH_PLOT_PNG;
	int quiet = 0;
	cli_parser p;
	const char *v;
	int id;
	cli_parser_init(&p, "plot", plot_options, argc, argv, first);
	while ((id = cli_next(&p, &v)) != CLI_NEXT_END) {
		switch (id) {
		case CLI_NEXT_ERROR:
			return CLI_USAGE;
		case CLI_NEXT_POSITIONAL:
			if (dir)
				return cli_usage_error("plot", "expected one "
						       "DIR, got '%s' and '%s'",
						       dir, v);
			dir = v;
			break;
		case OPT_FORMAT:
			if (coh_plot_format_parse(&format, v) ||
			    format == COH_PLOT_NONE)
				return cli_usage_error("plot", "--format "
						       "expects png, svg, pdf "
						       "or dumb, got \"%s\"", v);
			break;
		case OPT_MEMBERS:
			chosen.members = v;
			break;
		case OPT_METRIC:
			chosen.metric = v;
			break;
		case OPT_TITLE:
			title = v;
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		case OPT_HELP:
			fputs(plot_help, stdout);
			return CLI_OK;
		}
	}
	if (!dir)
		return cli_usage_error("plot", "missing DIR");

	static const char *const run_figs[] = {"cohesion.gp", "members.gp",
					       "survival.gp"};
	static const char *const compare_figs[] = {"compare.gp"};
	static const char *const sweep_figs[] = {"sweep.gp"};
	static const char *const sobol_figs[] = {"sensitivity.gp"};
	static const char *const morris_figs[] = {"morris.gp"};
	static const char *const attribution_figs[] = {"attribution.gp"};
	static const char *const calibration_figs[] = {"calibration.gp",
						       "generations.gp",
						       "pairs.gp"};
	static const char *const backtest_figs[] = {"backtest.gp"};
	/* a calibration's or a backtest's manifest: the priors, the
	 * figures' title (axes point into it) */
	json_t *man = NULL;
	/* the kind of folder whose report.html plot writes anew, or -1 for
	 * run and compare, whose report gets new figures only */
	int kind = -1;
	const char *const *figs;
	size_t n_figs;
	const char *axes[64];
	size_t n_axes = 0;
	/* axes point into header, used after the branches */
	/* cppcheck-suppress variableScope */
	char header[8192];
	/* room for dir and the longest name looked for */
	char *path = coh_malloc(strlen(dir) + sizeof "/sensitivity-figure.csv");
	int report = 0;         /* the folder holds report.html */
	if (!path) {
		fputs("cohesim: out of memory\n", stderr);
		return CLI_ERROR;
	}
	if (has(path, dir, "sweep-summary.csv")) {
		kind = CLI_FOLDER_SWEEP;
		figs = sweep_figs;
		n_figs = 1;
		if (read_axes(path, dir, header, sizeof header, axes, 64,
			      &n_axes)) {
			fprintf(stderr, "cohesim: %s/points.csv: cannot read "
				"the sweep's axes\n", dir);
			coh_free(path);
			return CLI_ERROR;
		}
	} else if (has(path, dir, "sensitivity-figure.csv") ||
		   has(path, dir, "attribution-bars.csv")) {
		int morris = 0;
		kind = has(path, dir, "sensitivity-figure.csv")
		       ? CLI_FOLDER_SENSITIVITY : CLI_FOLDER_ATTRIBUTE;
		const char *name = kind == CLI_FOLDER_SENSITIVITY
				   ? "sensitivity-figure.csv"
				   : "attribution-bars.csv";
		if (read_qois(path, dir, name, header, sizeof header, axes,
			      64, &n_axes, &morris)) {
			fprintf(stderr, "cohesim: %s/%s: cannot read the "
				"quantities\n", dir, name);
			coh_free(path);
			return CLI_ERROR;
		}
		figs = kind == CLI_FOLDER_ATTRIBUTE ? attribution_figs
		     : morris ? morris_figs : sobol_figs;
		n_figs = 1;
	} else if (has(path, dir, "posterior-figure.csv") ||
		   has(path, dir, "backtest.csv")) {
		kind = has(path, dir, "backtest.csv") ? CLI_FOLDER_BACKTEST
		       : CLI_FOLDER_CALIBRATE;
		man = read_manifest(path, dir);
		if (man && kind == CLI_FOLDER_CALIBRATE &&
		    read_priors(man, axes, 64, &n_axes)) {
			fprintf(stderr, "cohesim: %s/manifest.json: no "
				"calibration priors\n", dir);
			json_decref(man);
			man = NULL;
		}
		if (!man) {
			coh_free(path);
			return CLI_ERROR;
		}
		figs = kind == CLI_FOLDER_BACKTEST ? backtest_figs
		       : calibration_figs;
		/* pairs need two priors */
		n_figs = kind == CLI_FOLDER_BACKTEST ? 1 : n_axes > 1 ? 3 : 2;
	} else if (has(path, dir, "compare.csv")) {
		figs = compare_figs;
		n_figs = 1;
	} else if (has(path, dir, "summary.csv")) {
		figs = run_figs;
		n_figs = 3;
	} else {
		fprintf(stderr, "cohesim: %s: no summary.csv, compare.csv, "
			"sweep-summary.csv, sensitivity-figure.csv, "
			"attribution-bars.csv, posterior-figure.csv or "
			"backtest.csv here; expected the folder of a finished "
			"run\n", dir);
		coh_free(path);
		return CLI_ERROR;
	}
	report = has(path, dir, "report.html");
	coh_scenario *sc = NULL;
	int status = cli_load(&sc, in_dir(path, dir, "scenario.resolved.cfg"),
			      dir, NULL, 0);
	coh_free(path);
	if (status != CLI_OK) {
		json_decref(man);
		return status;
	}
	char **files = NULL;
	size_t n_files = 0;
	coh_error err = {0};
	if (format == COH_PLOT_DUMB)
		fflush(stdout);
	status = cli_check_members("plot", chosen.members,
				   coh_scenario_model(sc));
	if (status == CLI_OK)
		status = cli_check_metric("plot", chosen.metric,
					  coh_scenario_model(sc));
	if (status != CLI_OK) {
		json_decref(man);
		coh_scenario_free(sc);
		return status;
	}
	coh_model shown = *coh_scenario_model(sc);
	if (title)
		shown.title = title;
	/* a calibration's and a backtest's figures say more in their
	 * title, as the command's do */
	coh_model drawn = shown;
	char drawn_title[512];
	if (man) {
		compose_title(drawn_title, sizeof drawn_title,
			      shown.title ? shown.title : shown.name, man,
			      kind == CLI_FOLDER_CALIBRATE);
		drawn.title = drawn_title;
	}
	int rc = cli_draw_members(dir, &drawn, &chosen, figs,
				  n_figs, axes, n_axes, format, &files,
				  &n_files, &err);
	if (!rc && n_files > 0)
		rc = coh_manifest_add_files(dir, (const char *const *)files,
					    n_files, &err);
	/* report.html after the figures, so that its figures are theirs */
	int redrawn = 0;
	if (!rc && report && kind >= 0) {
		cli_folder_report r = {
			.dir = dir, .kind = (cli_folder_kind)kind,
			.title = shown.title ? shown.title : shown.name,
			.model = &drawn,
			.figure = figs[0], .figures = figs,
			.n_figures = n_figs, .axes = axes, .n_axes = n_axes,
			.opts = &chosen, .keep_without_gnuplot = 1,
		};
		rc = cli_report_folder(&r, &redrawn, &err);
	} else if (!rc && report) {
		rc = refigure(dir, &shown, &chosen, figs, n_figs, &redrawn,
			      &err);
	}
	if (rc)
		cli_print_error(&err);
	else if (!quiet) {
		fprintf(stderr, "cohesim: drew");
		for (size_t i = 0; i < n_files; i++)
			fprintf(stderr, "%s %s", i ? "," : "", files[i]);
		fprintf(stderr, "%s in %s\n", redrawn ? ", report.html" : "",
			dir);
	}
	coh_plot_files_free(files, n_files);
	coh_scenario_free(sc);
	json_decref(man);
	return cli_exit_status(rc);
}
