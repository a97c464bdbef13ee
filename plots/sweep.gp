# A parameter sweep: final cohesion against each varied setting, and which
# member is most likely to exit (or freeze: --metric).  One axis: the mean with its 95% interval
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
c_freeze(i) = K + 9 + 3 * (i - 1)
c_exit(i) = K + 10 + 3 * (i - 1)
# what the figure maps besides cohesion (--metric): exit or freeze, of one
# member (exit:ID) or of the member for whom it is likeliest
metric = @METRIC@
colon = strstrt(metric, ':')
m_kind = colon ? metric[1:colon - 1] : metric
m_id = colon ? metric[colon + 1:] : ''
c_metric(i) = m_kind eq 'freeze' ? c_freeze(i) : c_exit(i)
m_verb = m_kind eq 'freeze' ? 'freezes' : 'exits'
worst = 1; worst_p = -1
do for [i = 1:n] {
    if (m_id ne '') {
        if (word(ids, i) eq m_id) { worst = i }
    } else {
        stats 'sweep-summary.csv' using (column(c_metric(i))) skip 1 nooutput
        if (STATS_mean > worst_p) { worst = i; worst_p = STATS_mean }
    }
}
set key noenhanced top right opaque box
set style fill transparent solid 0.25 noborder
if (K == 1) {
    set multiplot layout 2,1 title @TITLE@ . ': sweep of ' . axes[1] font ',13'
    set xlabel axes[1]
    set ylabel 'final cohesion'
    plot 'sweep-summary.csv' using 2:c_q025:c_q975 skip 1 with filledcurves lc rgb '#3b6ea8' title '2.5%-97.5% of replications', \
         '' using 2:c_mean:c_lo:c_hi skip 1 with yerrorlines lw 2 pt 7 ps 0.6 lc rgb '#1f3f66' title 'mean and 95% CI'
    set ylabel 'probability that the member ' . m_verb . ' by the end'
    set yrange [0:1]
    plot for [i = 1:n] 'sweep-summary.csv' using 2:(column(c_metric(i))) skip 1 with linespoints lw 2 pt 7 ps 0.5 dt dash(i) lc rgb colour(i) title names[i]
    unset multiplot
} else {
    if (K == 2) {
        # A grid (the second axis varies fastest) is drawn as tiles that
        # cover the plane: ny rows share the first x, nx = N / ny columns,
        # each tile a step wide and high.  Sampled designs (lhs, sobol) are
        # drawn as squares at their points.  One colour scale per panel.
        stats 'sweep-summary.csv' using 1 skip 1 nooutput
        N = STATS_records
        side = 60.0 / sqrt(N)
        side = side < 1.5 ? 1.5 : (side > 8 ? 8 : side)
        stats 'sweep-summary.csv' using 2 skip 1 nooutput
        x_lo = STATS_min; x_hi = STATS_max
        stats 'sweep-summary.csv' using 3 skip 1 nooutput
        y_lo = STATS_min; y_hi = STATS_max
        stats 'sweep-summary.csv' using 2 skip 1 every ::0::0 nooutput
        x0 = STATS_min
        stats 'sweep-summary.csv' using (column(2) == x0 ? 1 : 0) skip 1 nooutput
        ny = int(STATS_sum)
        nx = ny > 0 ? N / ny : 0
        grid = ny > 1 && nx > 1 && nx * ny == N
        dx = grid ? (x_hi - x_lo) / (nx - 1) / 2.0 : 0
        dy = grid ? (y_hi - y_lo) / (ny - 1) / 2.0 : 0
        set multiplot layout 1,2 title @TITLE@ . ': sweep' font ',13'
        set xlabel axes[1]
        set ylabel axes[2]
        if (grid) {
            set xrange [x_lo - dx : x_hi + dx]
            set yrange [y_lo - dy : y_hi + dy]
        } else {
            set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
        }
        set style fill solid 1.0 noborder
        set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
        set cbrange [*:*]
        unset key
        set title 'mean final cohesion'
        if (grid) {
            plot 'sweep-summary.csv' using 2:3:(dx):(dy):c_mean skip 1 with boxxyerror lc palette notitle
        } else {
            plot 'sweep-summary.csv' using 2:3:c_mean skip 1 with points pt 5 ps side lc palette notitle
        }
        set title 'probability that ' . names[worst] . ' ' . m_verb . ' by the end'
        if (grid) {
            plot 'sweep-summary.csv' using 2:3:(dx):(dy):(column(c_metric(worst))) skip 1 with boxxyerror lc palette notitle
        } else {
            plot 'sweep-summary.csv' using 2:3:(column(c_metric(worst))) skip 1 with points pt 5 ps side lc palette notitle
        }
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
