/* Progress of long work on stderr: on a terminal a bar redrawn at most ten
 * times a second, elsewhere (logs, CI) a plain line every few seconds, and
 * nothing at all with --quiet. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define BAR_INTERVAL 0.1        /* seconds between redraws */
#define LINE_INTERVAL 5.0       /* seconds between log lines */

double cli_progress_elapsed(const cli_progress *p)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) +
	       (double)(now.tv_nsec - p->start.tv_nsec) * 1e-9;
}

void cli_progress_start(cli_progress *p, uint64_t total, int quiet)
{
	p->mode = quiet ? 0 : isatty(STDERR_FILENO) ? 1 : 2;
	p->total = total;
	p->last_shown = 0;
	p->shown = 0;
	p->unit = NULL;
	p->runs_per_item = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

/* "1:02:03" or "2:03". */
static void format_duration(char *buf, size_t size, double seconds)
{
	unsigned long s = seconds > 0 ? (unsigned long)(seconds + 0.5) : 0;
	if (s >= 3600)
		snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

void cli_progress_update(cli_progress *p, uint64_t done)
{
	if (p->mode == 0)
		return;
	double t = cli_progress_elapsed(p);
	double interval = p->mode == 1 ? BAR_INTERVAL : LINE_INTERVAL;
	if (t - p->last_shown < interval && done < p->total)
		return;
	/* A log line only for work that lasts; short runs stay silent. */
	if (p->mode == 2 && t < LINE_INTERVAL)
		return;
	p->last_shown = t;

	double rate = t > 0 ? (double)done / t : 0;
	char eta[32] = "?";
	if (rate > 0)
		format_duration(eta, sizeof eta,
				(double)(p->total - done) / rate);
	/* a sweep counts points but its speed reads better in runs */
	const char *unit = p->unit ? p->unit : "replications";
	const char *rate_unit = p->runs_per_item ? " runs" : "";
	if (p->runs_per_item)
		rate *= (double)p->runs_per_item;
	char rate_text[32];
	snprintf(rate_text, sizeof rate_text, "%.*f",
		 rate >= 100 ? 0 : rate >= 10 ? 1 : 2, rate);

	if (p->mode == 2) {
		fprintf(stderr,
			"cohesim: %llu/%llu %s, %s%s/s, ETA %s\n",
			(unsigned long long)done,
			(unsigned long long)p->total, unit, rate_text,
			rate_unit, eta);
		return;
	}
	char bar[BAR_WIDTH + 1];
	size_t filled = p->total ? (size_t)(BAR_WIDTH * done / p->total) : 0;
	for (size_t i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	/* \033[K clears what a longer previous line left behind. */
	fprintf(stderr, "\r[%s] %llu/%llu %s  %s%s/s  ETA %s\033[K",
		bar, (unsigned long long)done, (unsigned long long)p->total,
		unit, rate_text, rate_unit, eta);
	fflush(stderr);
	p->shown = 1;
}

void cli_progress_finish(cli_progress *p)
{
	if (p->mode == 1 && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}

void cli_progress_show(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_update(ctx, done);
}
