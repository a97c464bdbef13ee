# Cohesion over time: median across replications with its 50% and 90%
# bands, the scenario's dated events marked, and below it the share of
# members active / frozen / exited.  Redraw with: gnuplot cohesion.gp
out_file = @OUTPUT@
load 'common.gp'
n_members = @NMEMBERS@
set multiplot title @TITLE@ font ',13'
set lmargin at screen 0.09
set rmargin at screen 0.97

# top panel: cohesion fan chart with event markers
set tmargin at screen 0.90
set bmargin at screen 0.40
set ylabel 'cohesion (power-weighted commitment)'
set yrange [0:1.05]
set format x ''
set xlabel ''
set key bottom left opaque box
set style fill transparent solid 0.25 noborder
plot 'timeline.csv' using 2:(1.0):(0):(-1.0) skip 1 with vectors nohead dt 3 lc rgb '#bbbbbb' notitle, \
     'timeline.csv' using 2:(1.04 - 0.06 * ($0 - 4 * floor($0 / 4))):5 skip 1 with labels left rotate by 0 font ',7' tc rgb '#555555' offset 0.2,0 notitle, \
     'summary.csv' using 2:(pick('cohesion', 6)):(pick('cohesion', 10)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.18 title '90% of replications', \
     'summary.csv' using 2:(pick('cohesion', 7)):(pick('cohesion', 9)) skip 1 with filledcurves lc rgb '#3b6ea8' fs transparent solid 0.35 title '50%', \
     'summary.csv' using 2:(pick('cohesion', 8)) skip 1 with lines lw 2 lc rgb '#1f3f66' title 'median'

# bottom panel: member status shares (mean over replications)
set tmargin at screen 0.36
set bmargin at screen 0.08
set ylabel 'share of members'
set yrange [0:1]
set format x "%b\n%Y"
set xlabel 'date'
set key top right horizontal opaque box
plot 'summary.csv' using 2:(pick('active', 4) / n_members) skip 1 with lines lw 2 lc rgb '#1b9e77' title 'active', \
     'summary.csv' using 2:(pick('frozen', 4) / n_members) skip 1 with lines lw 2 lc rgb '#e6ab02' title 'frozen', \
     'summary.csv' using 2:(pick('exited', 4) / n_members) skip 1 with lines lw 2 lc rgb '#d95f02' title 'exited'
unset multiplot
