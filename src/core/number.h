/* Numbers as text that reads back to the same double, and text read as
 * numbers without floating-point traps. */
#ifndef COH_NUMBER_H
#define COH_NUMBER_H

#include <stddef.h>

/* Room for any double as coh_format_double writes it. */
#define COH_NUMBER_MAX 32

/* Writes the shortest of %.15g, %.16g and %.17g that strtod reads back to
 * the same bits (17 digits always do): "0.1", not 0.10000000000000001.
 * NaN gives "" (an empty CSV field).  Returns the length written. */
size_t coh_format_double(char buf[COH_NUMBER_MAX], double x);

/* strtod with floating-point exceptions held: a literal too large for a
 * double is bad input, which the caller reports (it gets HUGE_VAL and
 * ERANGE), not a fault for a build with traps on (FP_TRAPS=1). */
double coh_strtod(const char *text, char **end);

#endif
