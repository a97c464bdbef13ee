# Morris screening: each factor's mu* (the mean size of its elementary
# effects: how much it matters) against sigma (their spread: how much its
# effect depends on the other factors, through interactions or
# curvature), in unit-scaled inputs, with 95% bootstrap intervals.
# Factors near the origin can be fixed; those above the dashed line
# sigma = mu* act mostly through interactions.  One panel per quantity,
# from sensitivity-figure.csv.  Redraw with: gnuplot morris.gp
out_file = @OUTPUT@
load 'common.gp'
array qois[@NAXES@] = @AXES@
K = @NAXES@
set xdata
set format x '%g'
set format y '%g'
set xtics font ',9'
set ytics font ',9'
set grid xtics ytics
set key top left font ',8' samplen 2
set xlabel 'mu* (mean |elementary effect|)'
set ylabel 'sigma'
set multiplot layout K,1 title @TITLE@ font ',13'
do for [k = 1:K] {
    set xrange [0:*]
    set yrange [0:*]
    set title qois[k] font ',11'
    this(col) = (strcol(1) eq qois[k]) ? column(col) : NaN
    plot 'sensitivity-figure.csv' skip 1 using \
           (this(3)):(this(6)):(this(4)):(this(5)):(this(7)):(this(8)) \
           with xyerrorbars pt 7 ps 0.6 lc rgb '#2f5f96' notitle, \
         '' skip 1 using (this(3)):(this(6)):2 \
           with labels left offset 0.8,0.6 font ',8' notitle, \
         x with lines dt 2 lc rgb '#999999' title 'sigma = mu*'
}
unset multiplot
