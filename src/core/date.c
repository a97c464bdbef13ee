/* ISO 8601 calendar dates <-> day numbers (days since 1970-01-01), by the
 * standard era arithmetic of the proleptic Gregorian calendar. */
#include "cohesim/date.h"
#include "cohesim/error.h"

#include <math.h>
#include <stdio.h>

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Day number of y-m-d; years are shifted so that March starts the year and
 * the leap day falls last. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, int *value)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return 1;
}

int coh_date_parse(int64_t *out_day, const char *text)
{
	int y, m, d;
	if (!text || !digits(text, 4, &y) || text[4] != '-' ||
	    !digits(text + 5, 2, &m) || text[7] != '-' ||
	    !digits(text + 8, 2, &d) || text[10] != '\0')
		return COH_EINPUT;
	if (y < 1000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return COH_EINPUT;
	*out_day = days_from_civil(y, m, d);
	return 0;
}

/* Far beyond any scenario's dates, and far inside what the arithmetic of
 * civil_from_days can hold. */
#define DAY_LIMIT 1000000000000LL

void coh_date_format(char *buf, size_t size, int64_t day)
{
	int64_t y;
	int m, d;
	if (day < -DAY_LIMIT || day > DAY_LIMIT) {
		snprintf(buf, size, "%s", "invalid");
		return;
	}
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

void coh_date_format_offset(char *buf, size_t size, int64_t start_day,
			    double days)
{
	double day = floor(days);
	/* NaN fails both tests, and lands on the out-of-range text */
	if (!(day >= -(double)DAY_LIMIT && day <= (double)DAY_LIMIT))
		day = -2.0 * (double)DAY_LIMIT;
	coh_date_format(buf, size, start_day + (int64_t)day);
}
