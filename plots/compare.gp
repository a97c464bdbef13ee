# A paired counterfactual: both scenarios' median cohesion, their paired
# difference (alternative - base) with the 95% confidence interval of its
# mean and the 5%-95% spread across replications, and each member's mean
# difference in commitment; the alternative's events are marked.
# Redraw with: gnuplot compare.gp
out_file = @OUTPUT@
load 'common.gp'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
n = words(ids)
# the two scenarios' names (cohesim compare passes them; a redraw by
# cohesim plot may not know them, and gnuplot has no empty array: + 1)
array sides[@NAXES@ + 1] = @AXES@
base_name = 'base'
alt_name = 'alternative'
if (@NAXES@ == 2) { base_name = 'base: ' . sides[1]; alt_name = 'alternative: ' . sides[2] }
set multiplot title @TITLE@ . "\n" . alt_name . ' against ' . base_name font ',13'
set lmargin at screen 0.09
set rmargin at screen 0.80

set tmargin at screen 0.91
set bmargin at screen 0.66
set ylabel 'cohesion (median)'
set yrange [0:1]
set format x ''
set key at screen 0.99, 0.88 right top
# the alternative's dated events, as light verticals
plot 'timeline.csv' using 2:(0):(0):(1) skip 1 with vectors nohead dt 3 lc rgb '#d8d8d8' notitle, \
     'compare.csv' using 2:(pick('cohesion', 4)) skip 1 with lines lw 2 lc rgb '#555555' title base_name, \
     'compare.csv' using 2:(pick('cohesion', 5)) skip 1 with lines lw 2 lc rgb '#3b6ea8' title alt_name

set tmargin at screen 0.62
set bmargin at screen 0.38
set ylabel 'cohesion: alt - base'
set yrange [*:*]
set style fill transparent solid 0.25 noborder
set key at screen 0.99, 0.60 right top
plot 'compare.csv' using 2:(pick('cohesion', 9)):(pick('cohesion', 10)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.15 title '5%-95% of pairs', \
     'compare.csv' using 2:(pick('cohesion', 7)):(pick('cohesion', 8)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.45 title '95% CI of mean', \
     'compare.csv' using 2:(pick('cohesion', 6)) skip 1 with lines lw 2 lc rgb '#1f3f66' title 'mean difference', \
     0 with lines dt 2 lc rgb '#888888' notitle

set tmargin at screen 0.34
set bmargin at screen 0.08
set ylabel 'commitment: alt - base'
set format x "%b\n%Y"
set xlabel 'date'
set key at screen 0.99, 0.32 right top
plot for [i = 1:n] 'compare.csv' using 2:(pick('member:' . word(ids, i), 6)) skip 1 with lines lw 2 lc rgb colour(i) title names[i], \
     0 with lines dt 2 lc rgb '#888888' notitle
unset multiplot
