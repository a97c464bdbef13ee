/* libFuzzer harness for `--vary` axes and designs: the first byte picks
 * the design and the number of points, the remaining lines are axes.  A
 * design that builds must give its points a value on every axis. */
#include "fuzz.h"

#define MAX_AXES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	coh_design_kind kind = (coh_design_kind)(data[0] % 3);
	size_t points = (size_t)(data[0] >> 2); /* 0..63: 0 must be refused */
	char *text = fuzz_text(data + 1, size - 1);
	const char *axes[MAX_AXES];
	size_t n = 0;
	for (char *line = text; line && n < MAX_AXES;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		axes[n++] = line;
		line = next;
	}
	coh_design *d = NULL;
	coh_error err = {0};
	int rc = coh_design_build(&d, axes, n, kind, points, 42, &err);
	if (rc == 0) {
		if (coh_design_axes(d) != n || coh_design_points(d) < 1)
			abort();
		/* the first and last points: a grid may have a million */
		char buf[COH_DESIGN_VALUE_MAX];
		size_t np = coh_design_points(d);
		for (size_t p = 0; p < np; p = p == 99 && np > 200 ? np - 100
								   : p + 1)
			for (size_t k = 0; k < n; k++) {
				const char *v = coh_design_value(d, p, k, buf);
				if (!v || !v[0])
					abort();
			}
		coh_design_free(d);
	} else if ((rc != COH_EUSAGE && rc != COH_ENOMEM) || !err.message[0]) {
		fprintf(stderr, "status %d, message \"%s\"\n", rc, err.message);
		abort();
	}
	free(text);
	return 0;
}
