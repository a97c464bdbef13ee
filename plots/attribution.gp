# What caused what: each unit's effect on each quantity of interest, with
# its 95% interval, as horizontal bars sorted by |effect| (the largest 15,
# the rest as one bar), one panel per quantity, from attribution-bars.csv.
# Redraw with: gnuplot attribution.gp
out_file = @OUTPUT@
load 'common.gp'
unset arrow 99    # the record's end: this x axis is not time
unset label 99
# the QoIs, one panel each (cohesim fills them in as the figure's axes)
array qois[@NAXES@] = @AXES@
K = @NAXES@
set xdata
set format x '%g'
set format y ''
set ytics scale 0 font ',8'
set xtics font ',9'
set grid xtics noytics
set yzeroaxis lt -1 lw 1
unset key
set style fill solid 0.6 noborder
set xlabel 'effect on the quantity'
set multiplot layout K,1 title @TITLE@ font ',13'
# Each row sits at its line number in the file; a panel's y range holds
# the lines of its QoI, so the other QoIs' labels fall outside it.
do for [k = 1:K] {
    set xrange [*:*]
    set yrange [*:*]        # stats keeps to the ranges set
    stats 'attribution-bars.csv' skip 1 using (strcol(1) eq qois[k] ? $0 : NaN) nooutput
    set yrange [STATS_max + 0.6:STATS_min - 0.6]
    set title qois[k] font ',11'
    # the other QoIs' rows are NaN, so they leave the x range alone
    this(col) = (strcol(1) eq qois[k]) ? column(col) : NaN
    plot 'attribution-bars.csv' skip 1 using \
           (this(5) / 2):0:(abs(this(5)) / 2):(0.35):ytic(4) \
           with boxxyerror lc rgb '#3b6ea8', \
         '' skip 1 using (this(5)):0:(this(6)):(this(7)) \
           with xerrorbars pt 7 ps 0.4 lc rgb '#1f3f66'
}
unset multiplot
