/* The gnuplot templates of plots/, embedded at build time. */
#ifndef COH_PLOT_TEMPLATES_H
#define COH_PLOT_TEMPLATES_H

typedef struct coh_plot_template {
	const char *name;       /* file name, e.g. "cohesion.gp" */
	const char *text;       /* with @FIELD@ placeholders */
} coh_plot_template;

/* Ends with an entry whose name is NULL. */
extern const coh_plot_template coh_plot_templates[];

#endif
