/* Figures through gnuplot: fill the embedded templates, write the scripts
 * beside the data, and feed `load` commands to a gnuplot child over a pipe.
 * The child runs in the output folder so the scripts use plain relative
 * names and `gnuplot cohesion.gp` there redraws a figure by hand. */
#include "cohesim/plot.h"
#include "cohesim/date.h"
#include "cohesim/output.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "plot/templates.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const format_names[] = {
	[COH_PLOT_NONE] = "none", [COH_PLOT_PNG] = "png",
	[COH_PLOT_SVG] = "svg", [COH_PLOT_PDF] = "pdf",
	[COH_PLOT_DUMB] = "dumb",
};

int coh_plot_format_parse(coh_plot_format *out, const char *text)
{
	for (int f = COH_PLOT_NONE; f <= COH_PLOT_DUMB; f++)
		if (strcmp(text, format_names[f]) == 0) {
			*out = (coh_plot_format)f;
			return 0;
		}
	return COH_EUSAGE;
}

const char *coh_plot_format_name(coh_plot_format format)
{
	return format <= COH_PLOT_DUMB ? format_names[format] : "?";
}

void coh_plot_quote(char *buf, size_t size, const char *text)
{
	size_t n = 0;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '\'';
	for (const char *p = text ? text : ""; *p && n + 3 < size; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\'') {
			buf[n++] = '\'';
			buf[n++] = '\'';
		} else {
			buf[n++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		}
	}
	buf[n++] = '\'';
	buf[n] = '\0';
}

static void sb_quoted(coh_strbuf *b, const char *text)
{
	size_t size = 2 * strlen(text ? text : "") + 3;
	char *q = coh_malloc(size);
	if (!q) {
		b->failed = 1;
		return;
	}
	coh_plot_quote(q, size, text);
	coh_strbuf_puts(b, q);
	coh_free(q);
}

/*--- Filling the templates ------------------------------------------------*/

static const char *template_text(const char *name)
{
	for (const coh_plot_template *t = coh_plot_templates; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	return NULL;
}

/* The terminal as a format with the height left open (%g), and the
 * usual height: a figure of many panels (members.gp) sets the same
 * terminal taller. */
static const char *terminal_format(coh_plot_format format)
{
	switch (format) {
	case COH_PLOT_SVG:
		return "set terminal svg size 1200,%g dynamic font 'Sans,10'";
	case COH_PLOT_PDF:
		return "set terminal pdfcairo size 12in,%gin font 'Sans,10'";
	case COH_PLOT_DUMB:
		return "set terminal dumb size 120,%g";
	default:
		return "set terminal pngcairo size 1200,%g font 'Sans,10'";
	}
}

static const char *terminal_height(coh_plot_format format)
{
	return format == COH_PLOT_PDF ? "8" : format == COH_PLOT_DUMB ? "40"
								     : "800";
}

/* "[0.35, 0.1]": one number a member, NaN when not given. */
static void sb_numbers(coh_strbuf *b, const double *x, size_t n)
{
	coh_strbuf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			coh_strbuf_puts(b, ", ");
		if (x && isfinite(x[i]))
			coh_strbuf_double(b, x[i]);
		else
			coh_strbuf_puts(b, "NaN");
	}
	coh_strbuf_puts(b, "]");
}

/* "cohesion.gp" -> "cohesion.png" (or "" for text on stdout). */
static void figure_name(char *buf, size_t size, const char *script,
			coh_plot_format format)
{
	size_t stem = strcspn(script, ".");
	if (format == COH_PLOT_DUMB)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%.*s.%s", (int)stem, script,
			 format == COH_PLOT_NONE ? "png"
						 : format_names[format]);
}

static void fill_field(coh_strbuf *b, const char *field, size_t len,
		       const coh_plot_spec *spec, coh_plot_format format,
		       const char *output)
{
	char date[16];
#define IS(name) (len == sizeof(name) - 1 && memcmp(field, name, len) == 0)
	if (IS("TERMINAL_FORMAT")) {
		sb_quoted(b, terminal_format(format));
	} else if (IS("TERMINAL_HEIGHT")) {
		coh_strbuf_puts(b, terminal_height(format));
	} else if (IS("FREEZE") || IS("EXIT")) {
		sb_numbers(b, IS("FREEZE") ? spec->freeze : spec->exit,
			   spec->n_members);
	} else if (IS("OUTPUT")) {
		sb_quoted(b, output);
	} else if (IS("TITLE")) {
		sb_quoted(b, spec->title);
	} else if (IS("START") || IS("END")) {
		coh_date_format(date, sizeof date,
				IS("START") ? spec->start_day : spec->end_day);
		sb_quoted(b, date);
	} else if (IS("METRIC")) {
		sb_quoted(b, spec->metric ? spec->metric : "exit");
	} else if (IS("RECORD_END")) {
		if (spec->has_record_end)
			coh_date_format(date, sizeof date,
					spec->record_end_day);
		else
			date[0] = '\0';
		sb_quoted(b, date);
	} else if (IS("CANDIDATES")) {
		coh_strbuf_puts(b, spec->has_candidates ? "1" : "0");
	} else if (IS("NMEMBERS")) {
		snprintf(date, sizeof date, "%zu", spec->n_members);
		coh_strbuf_puts(b, date);
	} else if (IS("MEMBERS")) {
		/* ids are [A-Za-z0-9_], so a space-separated word list is safe */
		coh_strbuf ids = {0};
		for (size_t i = 0; i < spec->n_members; i++) {
			if (i)
				coh_strbuf_puts(&ids, " ");
			coh_strbuf_puts(&ids, spec->ids[i]);
		}
		sb_quoted(b, ids.failed ? "" : ids.s);
		b->failed |= ids.failed;
		coh_free(ids.s);
	} else if (IS("NAXES")) {
		snprintf(date, sizeof date, "%zu", spec->n_axes);
		coh_strbuf_puts(b, date);
	} else if (IS("AXES")) {
		coh_strbuf_puts(b, "[");
		for (size_t i = 0; i < spec->n_axes; i++) {
			if (i)
				coh_strbuf_puts(b, ", ");
			sb_quoted(b, spec->axes[i]);
		}
		if (spec->n_axes == 0)
			sb_quoted(b, "");
		coh_strbuf_puts(b, "]");
	} else if (IS("NAMES")) {
		coh_strbuf_puts(b, "[");
		for (size_t i = 0; i < spec->n_members; i++) {
			if (i)
				coh_strbuf_puts(b, ", ");
			sb_quoted(b, spec->names[i]);
		}
		coh_strbuf_puts(b, "]");
	} else {
		coh_strbuf_puts(b, "@");
		coh_strbuf_add(b, field, len);
		coh_strbuf_puts(b, "@");
	}
#undef IS
}

static char *fill(const char *text, const coh_plot_spec *spec,
		  coh_plot_format format, const char *output)
{
	coh_strbuf b = {0};
	const char *p = text;
	while (*p) {
		const char *at = strchr(p, '@');
		const char *end = at ? strchr(at + 1, '@') : NULL;
		if (!at || !end) {
			coh_strbuf_puts(&b, p);
			break;
		}
		coh_strbuf_add(&b, p, (size_t)(at - p));
		fill_field(&b, at + 1, (size_t)(end - at - 1), spec, format,
			   output);
		p = end + 1;
	}
	if (b.failed) {
		coh_free(b.s);
		return NULL;
	}
	return b.s;
}

/*--- Files ------------------------------------------------------------------*/

static int add_file(char ***files, size_t *n, const char *name)
{
	char **v = coh_reallocarray(*files, *n + 1, sizeof *v);
	if (!v)
		return COH_ENOMEM;
	*files = v;
	if (!(v[*n] = coh_strdup(name)))
		return COH_ENOMEM;
	(*n)++;
	return 0;
}

void coh_plot_files_free(char **files, size_t n_files)
{
	for (size_t i = 0; files && i < n_files; i++)
		coh_free(files[i]);
	coh_free(files);
}

/*--- gnuplot ----------------------------------------------------------------*/

/* The gnuplot to run: $COH_GNUPLOT when set (a path), else the first
 * gnuplot on $PATH. */
static const char *gnuplot_program(void)
{
	const char *env = getenv("COH_GNUPLOT");
	return env && env[0] ? env : "gnuplot";
}

static int gnuplot_installed(void)
{
	const char *env = getenv("COH_GNUPLOT");
	if (env && env[0])
		return access(env, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		char buf[4096];
		if (len > 0 && len < sizeof buf - 9) {
			snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)len, path);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		path += len + (path[len] == ':');
	}
	return 0;
}

/* Writes all of text to fd, with SIGPIPE held back so that a gnuplot that
 * dies early gives EPIPE here instead of killing the program. */
static int write_all(int fd, const char *text)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	size_t len = strlen(text);
	int rc = 0;
	while (len > 0) {
		ssize_t w = write(fd, text, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -1;
			break;
		}
		text += w;
		len -= (size_t)w;
	}
	if (rc && errno == EPIPE) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Runs gnuplot in dir with `commands` on its standard input; its standard
 * error is kept for the message if it fails. */
static int run_gnuplot(const char *dir, const char *commands, coh_error *err)
{
	int in[2], errp[2];
	if (pipe(in))
		return coh_error_set(err, COH_EIO, NULL, 0,
				     "cannot start gnuplot: %s", strerror(errno));
	if (pipe(errp)) {
		close(in[0]);
		close(in[1]);
		return coh_error_set(err, COH_EIO, NULL, 0,
				     "cannot start gnuplot: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in[0]); close(in[1]); close(errp[0]); close(errp[1]);
		return coh_error_set(err, COH_EIO, NULL, 0,
				     "cannot start gnuplot: %s", strerror(e));
	}
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(errp[1], STDERR_FILENO);
		close(in[0]); close(in[1]); close(errp[0]); close(errp[1]);
		if (chdir(dir) == 0)
			execlp(gnuplot_program(), "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(errp[1]);
	int wrc = write_all(in[1], commands);
	close(in[1]);

	char msg[1024];
	size_t used = 0;
	for (;;) {
		ssize_t r = read(errp[0], msg + used, sizeof msg - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += (size_t)r;
		if (used == sizeof msg - 1) { /* keep draining, keep the start */
			char sink[512];
			while (read(errp[0], sink, sizeof sink) > 0)
				;
			break;
		}
	}
	msg[used] = '\0';
	close(errp[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (wrc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* the most useful line of gnuplot's complaint is its last one */
	char *line = msg, *last = NULL;
	for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (*line && strspn(line, " ^") != strlen(line))
			last = line;
	}
	if (*line)
		last = line;
	return coh_error_set(err, COH_EIO, dir, 0, "gnuplot failed: %s",
			     last ? last : "no message");
}

/* Writes common.gp and the figure scripts for format into script_dir and
 * runs gnuplot there.  data_dir, when not NULL, is an absolute folder put
 * on gnuplot's loadpath: the scripts then find the data files there,
 * since plot and load look in the current folder first and the loadpath
 * next.  Names written (relative to script_dir) go to *files. */
static int render_in(const char *script_dir, const char *data_dir,
		     const coh_plot_spec *spec, coh_plot_format format,
		     int *missing, char ***files, size_t *n_files,
		     coh_error *err)
{
	const char *dir = script_dir;
	if (missing)
		*missing = 0;
	coh_strbuf cmd = {0};
	int rc = 0;
	char out[256];
	const char *common = template_text("common.gp");
	char *text = common ? fill(common, spec, format, "") : NULL;
	if (!text)
		return coh_error_set(err, COH_ENOMEM, NULL, 0,
				     "out of memory filling common.gp");
	rc = coh_output_write_file(dir, "common.gp", text, strlen(text),
				   err);
	coh_free(text);
	if (!rc && add_file(files, n_files, "common.gp"))
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (data_dir) {
		coh_strbuf_puts(&cmd, "set loadpath ");
		sb_quoted(&cmd, data_dir);
		coh_strbuf_puts(&cmd, "\n");
	}
	for (size_t i = 0; i < spec->n_figures && !rc; i++) {
		const char *name = spec->figures[i];
		const char *tpl = template_text(name);
		if (!tpl) {
			rc = coh_error_set(err, COH_EINPUT, NULL, 0,
					   "no plot template named %s", name);
			break;
		}
		figure_name(out, sizeof out, name, format);
		text = fill(tpl, spec, format, out);
		if (!text) {
			rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
					   "out of memory filling %s", name);
			break;
		}
		rc = coh_output_write_file(dir, name, text, strlen(text), err);
		coh_free(text);
		if (!rc && add_file(files, n_files, name))
			rc = COH_ENOMEM;
		coh_strbuf_puts(&cmd, "load ");
		sb_quoted(&cmd, name);
		coh_strbuf_puts(&cmd, "\n");
	}
	if (rc == COH_ENOMEM || cmd.failed)
		rc = coh_error_set(err, COH_ENOMEM, NULL, 0, "out of memory");
	if (!rc && format != COH_PLOT_NONE) {
		if (!gnuplot_installed()) {
			if (missing)
				*missing = 1;
		} else {
			rc = run_gnuplot(dir, cmd.s ? cmd.s : "", err);
			for (size_t i = 0; i < spec->n_figures && !rc &&
					   format != COH_PLOT_DUMB; i++) {
				figure_name(out, sizeof out, spec->figures[i],
					    format);
				if (add_file(files, n_files, out))
					rc = coh_error_set(err, COH_ENOMEM,
							   NULL, 0,
							   "out of memory");
			}
		}
	}
	coh_free(cmd.s);
	return rc;
}

int coh_plot_render(const char *dir, const coh_plot_spec *spec,
		    coh_plot_format format, int *missing, char ***files,
		    size_t *n_files, coh_error *err)
{
	return render_in(dir, NULL, spec, format, missing, files, n_files,
			 err);
}

/*--- Figures in memory ------------------------------------------------------*/

/* The whole file at path, NUL-terminated, or NULL with errno set:
 * ENOMEM when out of memory, EIO for a read error or an empty file. */
static char *read_whole(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	coh_strbuf b = {0};
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		coh_strbuf_add(&b, chunk, got);
	int unread = ferror(fp);
	fclose(fp);
	if (b.failed || unread || !b.s) {
		coh_free(b.s);
		errno = b.failed ? ENOMEM : EIO;
		return NULL;
	}
	return b.s;
}

/* Removes every file in tmp, then tmp.  It lists the folder rather than
 * taking the names written: after an allocation failed part-way the list
 * may lack some, and the clean-up itself must not allocate through the
 * wrapper that tests make fail. */
static void remove_tmp(const char *tmp)
{
	DIR *d = opendir(tmp);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(tmp);
}

int coh_plot_svg(const char *dir, const coh_plot_spec *spec, int *missing,
		 char **svg, coh_error *err)
{
	for (size_t i = 0; i < spec->n_figures; i++)
		svg[i] = NULL;
	if (missing)
		*missing = 0;
	if (!gnuplot_installed()) {
		if (missing)
			*missing = 1;
		return 0;
	}
	char data_dir[PATH_MAX];
	if (!realpath(dir, data_dir))
		return coh_error_set(err, COH_EIO, dir, 0,
				     "cannot resolve the folder: %s",
				     strerror(errno));
	const char *base = getenv("TMPDIR");
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s/cohesim-svg-XXXXXX",
		 base && base[0] ? base : "/tmp");
	if (!mkdtemp(tmp))
		return coh_error_set(err, COH_EIO, tmp, 0,
				     "cannot make a temporary folder: %s",
				     strerror(errno));
	char **files = NULL;
	size_t n_files = 0;
	int rc = render_in(tmp, data_dir, spec, COH_PLOT_SVG, NULL, &files,
			   &n_files, err);
	for (size_t i = 0; i < spec->n_figures && !rc; i++) {
		char name[256];
		figure_name(name, sizeof name, spec->figures[i], COH_PLOT_SVG);
		char *path = coh_output_path(tmp, name);
		if (!path) {
			rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
					   "out of memory");
			break;
		}
		svg[i] = read_whole(path);
		if (!svg[i] && errno == ENOMEM)
			rc = coh_error_set(err, COH_ENOMEM, NULL, 0,
					   "out of memory");
		else if (!svg[i])
			rc = coh_error_set(err, COH_EIO, path, 0,
					   "cannot read the figure "
					   "gnuplot drew: %s", strerror(errno));
		coh_free(path);
	}
	remove_tmp(tmp);
	coh_plot_files_free(files, n_files);
	if (rc)
		for (size_t i = 0; i < spec->n_figures; i++) {
			coh_free(svg[i]);
			svg[i] = NULL;
		}
	return rc;
}
