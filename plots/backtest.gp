# A backtest: for each milestone of the record after the cutoff, the
# share of replications in which it held (the forecast probability p),
# with its Brier score (1 - p)^2 as a label.  A good forecast puts its
# bars near 1.  From backtest.csv (its last line, the sums, is left
# out).  Redraw with: gnuplot backtest.gp
out_file = @OUTPUT@
load 'common.gp'
set xdata
set format x '%g'
set xrange [0:1.15]
set yrange [*:*] reverse
set ytics scale 0 font ',8'
set xtics 0.2 font ',9'
set grid xtics noytics
set style fill solid 0.7 noborder
set key noautotitle
set xlabel 'forecast probability that the milestone holds'
set title @TITLE@ font ',13'
stats 'backtest.csv' skip 1 using 5 nooutput
N = STATS_records - 1
set yrange [N - 0.5:-0.5]
plot 'backtest.csv' skip 1 every ::0::(N - 1) using (0.5 * $4):0:(0.5 * $4):(0.35):ytic(stringcolumn(1) . '  ' . stringcolumn(2)) \
       with boxxyerror lc rgb '#2f5f96', \
     '' skip 1 every ::0::(N - 1) using ($4 + 0.02):0:(sprintf('Brier %.3f', $5)) with labels left font ',8'
