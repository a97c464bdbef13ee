/* Calendar dates as day numbers (proleptic Gregorian, day 0 = 1970-01-01),
 * so that scenario times are plain differences of integers. */
#ifndef COHESIM_DATE_H
#define COHESIM_DATE_H

#include <stdint.h>
#include <stddef.h>

/* Parses exactly "YYYY-MM-DD" (years 1000..9999) into *out_day.
 * Returns 0, or COH_EINPUT for anything else, including dates that do not
 * exist (2023-02-30) and trailing characters; *out_day is set only on success. */
int coh_date_parse(int64_t *out_day, const char *text);

/* Formats a day number as "YYYY-MM-DD" into buf (at least 11 bytes);
 * days beyond +-10^12 (and, below, NaN) print as "invalid". */
void coh_date_format(char *buf, size_t size, int64_t day);

/* Date of a (possibly fractional) time in days since a start day: the
 * calendar day on which that moment falls (floor). */
void coh_date_format_offset(char *buf, size_t size, int64_t start_day,
			    double days);

#endif
