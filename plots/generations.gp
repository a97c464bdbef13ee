# How the calibration went: the tolerance eps (the share of the
# milestones' weight a replication may miss) and the effective sample
# size of each generation, and the share of proposals accepted, from
# generations.csv.  eps falls to 0 in the last generation when every
# milestone could be met.  Redraw with: gnuplot generations.gp
out_file = @OUTPUT@
load 'common.gp'
set xdata
set format x '%g'
set format y '%g'
set xtics 1 font ',9'
set ytics font ',9'
set grid xtics ytics
set key top right font ',8'
set xlabel 'generation'
stats 'generations.csv' skip 1 using 1 nooutput
set xrange [-0.5:STATS_max + 0.5]
set multiplot layout 2,1 title @TITLE@ font ',13'
set ylabel 'eps, acceptance'
set yrange [0:1.05]
plot 'generations.csv' skip 1 using 1:2 with linespoints pt 7 lc rgb '#b04040' title 'eps', \
     '' skip 1 using 1:6 with linespoints pt 5 lc rgb '#2f5f96' title 'acceptance rate'
set ylabel 'ESS'
set yrange [0:*]
plot 'generations.csv' skip 1 using 1:7 with linespoints pt 7 lc rgb '#1b9e77' title 'effective sample size', \
     '' skip 1 using 1:3 with lines dt 2 lc rgb '#999999' title 'particles'
unset multiplot
