/* Shortest round-trip text for doubles, shared by every writer. */
#include "number.h"

#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

size_t coh_format_double(char buf[COH_NUMBER_MAX], double x)
{
	if (isnan(x)) {
		buf[0] = '\0';
		return 0;
	}
	int n = 0;
	for (int digits = 15; digits <= 17; digits++) {
		n = snprintf(buf, COH_NUMBER_MAX, "%.*g", digits, x);
		if (digits == 17 || strtod(buf, NULL) == x)
			break;
	}
	return (size_t)n;
}

double coh_strtod(const char *text, char **end)
{
	fenv_t env;
	feholdexcept(&env);
	double x = strtod(text, end);
	fesetenv(&env);
	return x;
}
