# A parameter sweep: final cohesion against each varied setting, and which
# member is most likely to exit.  One axis: the mean with its 95% interval
# and the 2.5%-97.5% spread; two axes: maps of mean cohesion and of that
# member's exit probability; more: one panel per axis.
# Redraw with: gnuplot sweep.gp
out_file = @OUTPUT@
load 'common.gp'
unset arrow 99    # the record's end: this x axis is not time
unset label 99
set xdata
set xrange [*:*]
set format x '%g'
set format y '%g'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
array axes[@NAXES@] = @AXES@
n = words(ids)
K = @NAXES@
# columns of sweep-summary.csv
c_mean = K + 3; c_lo = K + 5; c_hi = K + 6; c_q025 = K + 7; c_q975 = K + 8
c_exit(i) = K + 10 + 3 * (i - 1)
# the member with the highest mean exit probability over the sweep
worst = 1; worst_p = -1
do for [i = 1:n] {
    stats 'sweep-summary.csv' using (column(c_exit(i))) skip 1 nooutput
    if (STATS_mean > worst_p) { worst = i; worst_p = STATS_mean }
}
set key noenhanced top right opaque box
set style fill transparent solid 0.25 noborder
if (K == 1) {
    set multiplot layout 2,1 title @TITLE@ . ': sweep of ' . axes[1] font ',13'
    set xlabel axes[1]
    set ylabel 'final cohesion'
    plot 'sweep-summary.csv' using 2:c_q025:c_q975 skip 1 with filledcurves lc rgb '#3b6ea8' title '2.5%-97.5% of replications', \
         '' using 2:c_mean:c_lo:c_hi skip 1 with yerrorlines lw 2 pt 7 ps 0.6 lc rgb '#1f3f66' title 'mean and 95% CI'
    set ylabel 'probability of exit by the end'
    set yrange [0:1]
    plot for [i = 1:n] 'sweep-summary.csv' using 2:(column(c_exit(i))) skip 1 with linespoints lw 2 pt 7 ps 0.5 lc rgb colour(i) title names[i]
    unset multiplot
} else {
    if (K == 2) {
        # each point a filled square, sized so that a grid's squares
        # nearly touch; one colour scale (viridis-like) per panel
        stats 'sweep-summary.csv' using 1 skip 1 nooutput
        side = 60.0 / sqrt(STATS_records)
        side = side < 1.5 ? 1.5 : (side > 8 ? 8 : side)
        set multiplot layout 1,2 title @TITLE@ . ': sweep' font ',13'
        set xlabel axes[1]
        set ylabel axes[2]
        set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
        set style fill solid 1.0 noborder
        set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
        set cbrange [*:*]
        unset key
        set title 'mean final cohesion'
        plot 'sweep-summary.csv' using 2:3:c_mean skip 1 with points pt 5 ps side lc palette notitle
        set title 'probability that ' . names[worst] . ' exits by the end'
        plot 'sweep-summary.csv' using 2:3:(column(c_exit(worst))) skip 1 with points pt 5 ps side lc palette notitle
        unset multiplot
    } else {
        set multiplot layout ceil(K / 2.0), 2 title @TITLE@ . ': sweep' font ',13'
        set ylabel 'final cohesion'
        do for [k = 1:K] {
            set xlabel axes[k]
            plot 'sweep-summary.csv' using (column(1 + k)):c_mean skip 1 with points pt 7 ps 0.6 lc rgb '#1f3f66' notitle
        }
        unset multiplot
    }
}
