# What the record supports: each prior's weighted posterior (bars) over
# its whole prior range, against the prior (the dashed line), from
# posterior-figure.csv.  Densities are per unit of the prior's scale (the
# logarithm for a log-uniform prior), so a flat prior is a flat line and
# a posterior bar above it marks values the milestones favour.  The pairs
# of priors follow, one panel each, from posterior.csv (point size by
# weight).  Redraw with: gnuplot calibration.gp
out_file = @OUTPUT@
load 'common.gp'
array paths[@NAXES@] = @AXES@
K = @NAXES@
set xdata
set format x '%g'
set format y '%g'
set xtics font ',8'
set ytics font ',8'
set key top right font ',8' samplen 2
set style fill solid 0.6 noborder
pairs = K * (K - 1) / 2
panels = K + pairs
cols = panels > 1 ? 2 : 1
rows = int((panels + cols - 1) / cols)
set multiplot layout rows,cols title @TITLE@ font ',13'
do for [k = 1:K] {
    set title paths[k] font ',10'
    set xrange [*:*]
    set yrange [0:*]
    set xlabel ''
    set ylabel 'density' font ',8'
    this(col) = (strcol(1) eq paths[k]) ? column(col) : NaN
    plot 'posterior-figure.csv' skip 1 using (this(4)):(this(5)):((this(3)) - (this(2))) \
           with boxes lc rgb '#2f5f96' title 'posterior', \
         '' skip 1 using (this(4)):(this(6)) with lines dt 2 lw 2 lc rgb '#999999' title 'prior'
}
# pairs: column 3 + i of posterior.csv is prior i
do for [i = 1:K] {
    do for [j = i + 1:K] {
        set title sprintf('%s / %s', paths[i], paths[j]) font ',9'
        set xrange [*:*]
        set yrange [*:*]
        set xlabel paths[i] font ',8'
        set ylabel paths[j] font ',8'
        plot 'posterior.csv' skip 1 using (column(2 + i)):(column(2 + j)):(0.3 + 30 * column(2)) \
               with points pt 7 ps variable lc rgb '#2f5f9680' notitle
    }
}
unset multiplot
