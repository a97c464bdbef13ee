# Cohesion over time: the dated events of the scenario on a strip at the
# top, then cohesion (power-weighted) and the unweighted mean commitment,
# each the median across replications with its 50% and 90% bands, and at
# the bottom the share of members active / frozen / exited.
# Redraw with: gnuplot cohesion.gp
out_file = @OUTPUT@
load 'common.gp'
n_members = @NMEMBERS@
set multiplot title @TITLE@ font ',13'
set lmargin at screen 0.09
set rmargin at screen 0.97

# event strip: a tick for every event, its label on the row given in
# timeline.csv (rows chosen so that labels do not overlap)
set tmargin at screen 0.93
set bmargin at screen 0.79
unset ytics
unset ylabel
set yrange [0:5.2]
set format x ''
set border 1
set grid noytics
unset key
unset label 99    # the strip has its own labels; the line stays
# timeline.csv's row for pictures, text_row for the text terminal (dumb),
# whose characters take more of the axis
text = strstrt(term_format, 'dumb') > 0
rc = text ? 7 : 6
# a character cell is wide on the text terminal: start the label one cell
# right of its point
lx = text ? 1 : 0.3
plot 'timeline.csv' using 2:(0):(0):(5.1) skip 1 with vectors nohead lc rgb '#c8c8c8' notitle, \
     'timeline.csv' using 2:(column(rc) >= 0 ? column(rc) + 0.5 : NaN):5 skip 1 with labels left font ',8' tc rgb '#444444' offset lx,0 notitle, \
     'timeline.csv' using 2:(column(rc) >= 0 ? column(rc) + 0.5 : NaN) skip 1 with points pt 7 ps 0.4 lc rgb '#444444' notitle

# cohesion: power-weighted, and the unweighted mean
if (record_labelled) { eval record_label }
set border 3
set grid
set ytics nomirror
set tmargin at screen 0.78
set bmargin at screen 0.38
set ylabel 'commitment'
set yrange [0:1.02]
set key bottom left opaque box
set style fill transparent solid 0.25 noborder
plot 'timeline.csv' using 2:(0):(0):(1.02) skip 1 with vectors nohead dt 3 lc rgb '#d8d8d8' notitle, \
     'summary.csv' using 2:(pick('cohesion', 6)):(pick('cohesion', 10)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.18 title 'cohesion (power-weighted): 90% of replications', \
     'summary.csv' using 2:(pick('cohesion', 7)):(pick('cohesion', 9)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.35 title '50%', \
     'summary.csv' using 2:(pick('cohesion', 8)) skip 1 with lines lw 2 lc rgb '#1f3f66' title 'median', \
     'summary.csv' using 2:(pick('mean', 6)):(pick('mean', 10)) skip 1 with filledcurves lc rgb '#c05a1a' fs transparent solid 0.15 title 'mean over members (unweighted): 90%', \
     'summary.csv' using 2:(pick('mean', 8)) skip 1 with lines lw 2 dt 2 lc rgb '#a04010' title 'median'

# status of the members (mean share over replications)
set tmargin at screen 0.35
set bmargin at screen 0.08
set ylabel 'share of members'
set yrange [0:1.02]
set format x "%b\n%Y"
set xlabel 'date'
set key top right horizontal opaque box
# members who have not joined yet (candidates) have a line of their own,
# so that the four shares add up to 1 at every date
candidates = @CANDIDATES@
candidate_line = candidates ? ", 'summary.csv' using 2:(pick('candidates', 4) / n_members) skip 1 with lines lw 2 dt 2 lc rgb '#7570b3' title 'candidates'" : ''
eval "plot 'summary.csv' using 2:(pick('active', 4) / n_members) skip 1 with lines lw 2 lc rgb '#1b9e77' title 'active', \
     'summary.csv' using 2:(pick('frozen', 4) / n_members) skip 1 with lines lw 2 lc rgb '#e6ab02' title 'frozen', \
     'summary.csv' using 2:(pick('exited', 4) / n_members) skip 1 with lines lw 2 lc rgb '#d95f02' title 'exited'" . candidate_line
unset multiplot
