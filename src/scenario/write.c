/* Writes a loaded scenario back as one libconfig file, after includes and
 * overrides, so that it loads to the same model bit for bit.  libconfig
 * 1.5's own writer keeps only 6 significant digits of a float, hence this
 * serializer: floats in their shortest exact form, int64 with L, strings
 * escaped the way libconfig reads them. */
#include "internal.h"
#include "cohesim/version.h"

#include <math.h>
#include <stdio.h>

static void indent(FILE *fp, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", fp);
}

static void write_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\f': fputs("\\f", fp); break;
		default:
			/* Bytes from 0x80 up are UTF-8 text: kept as they are. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

static int write_value(FILE *fp, const config_setting_t *s, int depth,
		       int any);

/* `name = value;` inside a group, or a bare value inside a list.  With
 * `any`, a non-finite number is written as inf, -inf or nan (for a
 * comparison: libconfig cannot read them back). */
static int write_setting(FILE *fp, const config_setting_t *s, int depth,
			 int any)
{
	indent(fp, depth);
	if (config_setting_name(s))
		fprintf(fp, "%s = ", config_setting_name(s));
	return write_value(fp, s, depth, any);
}

static int write_value(FILE *fp, const config_setting_t *s, int depth,
		       int any)
{
	char num[40];
	int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 0;
	int rc = 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		fprintf(fp, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		fprintf(fp, "%lldL", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		if (!isfinite(config_setting_get_float(s))) {
			if (!any)
				return COH_EINPUT; /* libconfig cannot say it */
			double v = config_setting_get_float(s);
			fputs(isnan(v) ? "nan" : v > 0 ? "inf" : "-inf", fp);
			break;
		}
		scn_format_double(num, sizeof num, config_setting_get_float(s),
				  1);
		fputs(num, fp);
		break;
	case CONFIG_TYPE_STRING:
		write_string(fp, config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		fputs(config_setting_get_bool(s) ? "true" : "false", fp);
		break;
	case CONFIG_TYPE_GROUP:
		fputs("{\n", fp);
		for (int i = 0; i < n && rc == 0; i++) {
			rc = write_setting(fp, config_setting_get_elem(s,
						(unsigned)i), depth + 1, any);
			fputs(";\n", fp);
		}
		indent(fp, depth);
		fputc('}', fp);
		break;
	case CONFIG_TYPE_LIST:
		fputs(n ? "(\n" : "(", fp);
		for (int i = 0; i < n && rc == 0; i++) {
			rc = write_setting(fp, config_setting_get_elem(s,
						(unsigned)i), depth + 1, any);
			fputs(i + 1 < n ? ",\n" : "\n", fp);
		}
		if (n)
			indent(fp, depth);
		fputc(')', fp);
		break;
	case CONFIG_TYPE_ARRAY:
		fputc('[', fp);
		for (int i = 0; i < n && rc == 0; i++) {
			fputs(i ? ", " : " ", fp);
			rc = write_value(fp, config_setting_get_elem(s,
						(unsigned)i), depth + 1, any);
		}
		fputs(n ? " ]" : "]", fp);
		break;
	default:
		break;
	}
	return rc;
}

/* Every top-level setting of the tree, as libconfig text. */
static int write_tree(const config_t *cfg, const char *name, FILE *fp,
		      int any, coh_error *err)
{
	const config_setting_t *root = config_root_setting(cfg);
	int n = config_setting_length(root);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root,
								    (unsigned)i);
		if (write_setting(fp, s, 0, any) != 0)
			return coh_error_set(err, COH_EINPUT, name, 0,
					     "%s holds a non-finite number, "
					     "which libconfig cannot write",
					     config_setting_name(s));
		fputs(";\n", fp);
	}
	if (fflush(fp) != 0 || ferror(fp))
		return coh_error_set(err, COH_EIO, name, 0,
				     "cannot write the resolved scenario");
	return 0;
}

int coh_scenario_write_resolved(const coh_scenario *scenario, FILE *fp,
				coh_error *err)
{
	fputs("# Resolved scenario, includes and overrides applied (cohesim "
	      COH_VERSION ").\n# Loaded from: ", fp);
	for (const char *p = scenario->path; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? '?' : *p, fp);
	fputs("\n\n", fp);
	return write_tree(&scenario->cfg, scenario->path, fp, 0, err);
}

int coh_scenario_source_write(const coh_scenario_source *source, FILE *fp,
			      coh_error *err)
{
	/* the source is not validated yet: a number libconfig read as inf
	 * may be one that an override replaces */
	return write_tree(&source->parsed.cfg, source->parsed.path, fp, 1,
			  err);
}
