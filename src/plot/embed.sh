#!/bin/sh
# Turns the gnuplot templates in plots/ into a C file, so an installed
# cohesim needs no source tree:  embed.sh plots/*.gp > plot_templates.c
echo '/* Generated from the templates in plots/ by src/plot/embed.sh: do not edit. */'
echo '#include "plot/templates.h"'
echo 'const coh_plot_template coh_plot_templates[] = {'
for f in "$@"; do
	printf '\t{"%s",\n' "$(basename "$f")"
	# escape backslashes and quotes, keep each line as a string literal
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '	{0, 0}'
echo '};'
