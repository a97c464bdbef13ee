/* libFuzzer harness for dates: whatever the text, the parser accepts
 * exactly "YYYY-MM-DD" of a day that exists, and a parsed day formats back
 * to the same text. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	int64_t day = INT64_MIN;
	int rc = coh_date_parse(&day, text);
	if (rc == 0) {
		char back[16];
		coh_date_format(back, sizeof back, day);
		if (strcmp(back, text) != 0) {
			fprintf(stderr, "\"%s\" parsed to day %lld, which "
				"formats as \"%s\"\n", text, (long long)day,
				back);
			abort();
		}
	} else if (rc != COH_EINPUT || day != INT64_MIN) {
		abort();
	}
	/* the formatters take any day and any time, NaN included */
	if (size >= 16) {
		char buf[16];
		double t;
		int64_t start;
		memcpy(&t, data, sizeof t);
		memcpy(&start, data + 8, sizeof start);
		coh_date_format(buf, sizeof buf, start);
		coh_date_format_offset(buf, sizeof buf, start % 4000000, t);
	}
	free(text);
	return 0;
}
