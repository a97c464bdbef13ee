# What the record supports: each prior's weighted posterior (bars) over
# its whole prior range, against the prior (the dashed line), from
# posterior-figure.csv.  Densities are per unit of the prior's scale (the
# logarithm for a log-uniform prior), so a flat prior is a flat line and
# a bar above it marks values the milestones favour (a log-uniform prior
# is drawn on a log axis).  pairs.gp draws the
# particles two priors at a time.  Redraw with: gnuplot calibration.gp
out_file = @OUTPUT@
load 'common.gp'
array paths[@NAXES@] = @AXES@
K = @NAXES@
cols = K > 1 ? 2 : 1
rows = int((K + cols - 1) / cols)
# two rows fit the usual canvas; more make it taller
if (rows > 2) { eval sprintf(term_format, term_height * rows / 2.0) }
set xdata
set format x '%g'
set format y '%g'
set xtics font ',8'
set ytics font ',8'
set key top right font ',8' samplen 2
set style fill solid 0.6 noborder
set ylabel 'density' font ',8'
# labels at 1, 2 and 5 times each power of ten, for the log axes
log_tics = ''
do for [e = -6:6] {
    do for [m in '1 2 5'] {
        v = m * 10.0**e
        log_tics = log_tics . sprintf('%s"%g" %g', (log_tics eq '' ? '' : ', '), v, v)
    }
}
log_tics = 'set xtics (' . log_tics . ')'
set multiplot layout rows,cols title @TITLE@ font ',13'
do for [k = 1:K] {
    set title paths[k] font ',10' noenhanced
    set yrange [0:*]
    this(col) = (strcol(1) eq paths[k]) ? column(col) : NaN
    # a log-uniform prior is drawn on a log axis, where it is flat; the
    # axis spans the prior's range, the first bin's start to the last's end
    stats 'posterior-figure.csv' skip 1 using (this(7)) nooutput
    if (STATS_max > 0) { set logscale x; eval log_tics } else { unset logscale x; set xtics autofreq }
    stats 'posterior-figure.csv' skip 1 using (this(2)) nooutput
    x_lo = STATS_min
    stats 'posterior-figure.csv' skip 1 using (this(3)) nooutput
    set xrange [x_lo:STATS_max]
    plot 'posterior-figure.csv' skip 1 using (this(4)):(this(5)):((this(3)) - (this(2))) \
           with boxes lc rgb '#2f5f96' title 'posterior', \
         '' skip 1 using (this(4)):(this(6)) with lines dt 2 lw 2 lc rgb '#777777' title 'prior'
}
unset multiplot
