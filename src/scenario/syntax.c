/* What libconfig's bare "syntax error" most likely means.  libconfig names
 * the line at which its parser gave up, which is often the line *after*
 * the mistake (a ';' forgotten at the end of a setting is only noticed at
 * the next one).  Looking at that line and the one before, the loader says
 * what is probably missing and shows the line with a caret under the
 * place. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest line an excerpt shows; longer lines are cut (the caret is
 * then dropped if it would fall beyond the cut). */
#define EXCERPT_MAX 100

/* Copies line `number` (from 1) of text into out (NUL-terminated, cut at
 * cap - 1 bytes); 0 if the text has no such line. */
static int line_of(const char *text, int number, char *out, size_t cap)
{
	for (int n = 1; n < number; n++) {
		text = strchr(text, '\n');
		if (!text)
			return 0;
		text++;
	}
	size_t len = strcspn(text, "\r\n");
	if (len >= cap)
		len = cap - 1;
	memcpy(out, text, len);
	out[len] = '\0';
	return 1;
}

/* Whether nothing but blanks follows the start of line `number`. */
static int at_end(const char *text, int number)
{
	for (int n = 1; n < number && text; n++) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	return !text || text[strspn(text, " \t\r\n")] == '\0';
}

/* The text of a file libconfig included, for the excerpt only: NULL when
 * it cannot be read whole (the message then goes without an excerpt). */
static char *read_small(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	enum { LIMIT = 16 << 20 };
	char *text = malloc(LIMIT + 1);
	size_t len = text ? fread(text, 1, LIMIT + 1, fp) : 0;
	fclose(fp);
	if (text && len > LIMIT) {      /* too large to show: no excerpt */
		free(text);
		return NULL;
	}
	if (text)
		text[len] = '\0';
	return text;
}

/* Where a line's content ends: before a trailing comment (# or //, but
 * not inside a string) and trailing blanks.  Returns the index one past
 * the last significant byte. */
static size_t content_end(const char *line)
{
	size_t end = 0;
	int in_string = 0;
	for (size_t i = 0; line[i]; i++) {
		char c = line[i];
		if (in_string) {
			if (c == '\\' && line[i + 1])
				i++;
			else if (c == '"')
				in_string = 0;
			end = i + 1;
			continue;
		}
		if (c == '#' || (c == '/' && line[i + 1] == '/') ||
		    (c == '/' && line[i + 1] == '*'))
			break;
		if (c == '"')
			in_string = 1;
		if (c != ' ' && c != '\t')
			end = i + 1;
	}
	return end;
}

/* An "=" followed only by blanks and then ';', ',', '}' or the end of
 * the content: a setting without a value.  Returns the offset of the
 * byte after the '=' blanks, or -1. */
static long missing_value(const char *line)
{
	size_t end = content_end(line);
	int in_string = 0;
	for (size_t i = 0; i < end; i++) {
		char c = line[i];
		if (in_string) {
			if (c == '\\' && i + 1 < end)
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		if (c != '=' && c != ':')
			continue;
		size_t j = i + 1;
		while (j < end && (line[j] == ' ' || line[j] == '\t'))
			j++;
		if (j == end || line[j] == ';' || line[j] == ',' ||
		    line[j] == '}')
			return (long)j;
	}
	return -1;
}

/* Appends "\n  N | line\n    |   ^" (caret at column `at`, or none when
 * at < 0) to out. */
static void excerpt(char *out, size_t cap, int number, const char *line,
		    long at)
{
	char shown[EXCERPT_MAX + 1];
	size_t len = strlen(line);
	if (len > EXCERPT_MAX) {
		len = EXCERPT_MAX;
		if (at > (long)len)
			at = -1;
	}
	for (size_t i = 0; i < len; i++)
		shown[i] = line[i] == '\t' ? ' ' : line[i];
	shown[len] = '\0';
	size_t used = strlen(out);
	int width = snprintf(NULL, 0, "%d", number);
	int n = snprintf(out + used, cap - used, "\n  %d | %s", number, shown);
	if (n < 0 || (size_t)n >= cap - used || at < 0)
		return;
	used += (size_t)n;
	snprintf(out + used, cap - used, "\n  %*s | %*s^", width, "", (int)at,
		 "");
}

void scn_syntax_message(char *out, size_t cap, const char *text,
			const char *path, int number)
{
	snprintf(out, cap, "syntax error");
	char *owned = NULL;
	if (!text) {
		owned = path ? read_small(path) : NULL;
		text = owned;
	}
	char line[256], before[256];
	if (!text || number < 1) {
		free(owned);
		return;
	}
	if (!line_of(text, number, line, sizeof line) || at_end(text, number)) {
		snprintf(out, cap, "syntax error at the end of the file: is a "
			 "closing '\"', ')', ']' or '}' missing?");
		free(owned);
		return;
	}
	/* the nearest line above with content */
	int prev = number - 1;
	while (prev >= 1 && line_of(text, prev, before, sizeof before) &&
	       content_end(before) == 0)
		prev--;
	if (prev < 1)
		before[0] = '\0';
	size_t start = strspn(line, " \t");
	long at = missing_value(line);
	if (at >= 0) {
		snprintf(out, cap, "syntax error: a setting has no value after "
			 "its '=' (write one, e.g. power = 0.5;)");
		excerpt(out, cap, number, line, at);
	} else if (line[start] == ';' || line[start] == ',') {
		snprintf(out, cap, "syntax error: '%c' where a closing bracket "
			 "was expected: is a ')' (list), ']' (array) or '}' "
			 "(group) missing before it?", line[start]);
		excerpt(out, cap, number, line, (long)start);
	} else if (prev >= 1 &&
		   !strchr(";,{([=:", before[content_end(before) - 1])) {
		/* libconfig takes settings without their ';', so what is
		 * missing between two lines is the ',' between elements */
		snprintf(out, cap, "syntax error: is a ',' missing at the end "
			 "of line %d? (elements of a list or an array are "
			 "separated by ',')", prev);
		excerpt(out, cap, prev, before, (long)content_end(before));
		excerpt(out, cap, number, line, -1);
	} else {
		snprintf(out, cap, "syntax error: check this line's brackets "
			 "and quotes, and the ',' between the elements of a "
			 "list or an array");
		excerpt(out, cap, number, line, -1);
	}
	free(owned);
}
