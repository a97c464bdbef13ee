# Which assumptions matter: each factor's first-order (S1, dark, thin) and
# total (ST, light, wide) Sobol' index for each quantity of interest, with
# 95% bootstrap intervals, the largest ST on top.  The grey bars are
# (noise), the scenario's own randomness.  S1 is never clamped: a bar
# left of 0 is an estimate below 0.  One panel per quantity, from
# sensitivity-figure.csv.  Redraw with: gnuplot sensitivity.gp
out_file = @OUTPUT@
load 'common.gp'
# the quantities, one panel each (cohesim fills them in as the axes)
array qois[@NAXES@] = @AXES@
K = @NAXES@
set xdata
set format x '%g'
set format y ''
set ytics scale 0 font ',8'
set xtics font ',9'
set grid xtics noytics
set yzeroaxis lt -1 lw 1
set key bottom right font ',8' samplen 1
set style fill solid 0.8 noborder
set xlabel 'share of the variance of the quantity'
set multiplot layout K,1 title @TITLE@ font ',13'
# Each factor sits at its line number in the file; a panel's y range
# holds the lines of its quantity, so the others' labels fall outside.
# Two invisible points at 0 and 1 keep the x range from 0 to 1 at least
# (and valid for a quantity without indices), and let it grow to show an
# estimate or interval outside.
do for [k = 1:K] {
    set xrange [*:*]
    set yrange [*:*]        # stats keeps to the ranges set
    stats 'sensitivity-figure.csv' skip 1 using (strcol(1) eq qois[k] ? $0 : NaN) nooutput
    set yrange [STATS_max + 0.6:STATS_min - 0.6]
    set xrange [*:*]
    set autoscale xfix      # the data's range, not stretched to a tic
    set offsets 0.03, 0.03, 0, 0
    set title qois[k] font ',11'
    this(col) = (strcol(1) eq qois[k]) ? column(col) : NaN
    noise = '(noise)'
    light(dummy) = strcol(2) eq noise ? 0xc8c8c8 : 0xa6c8e6
    dark(dummy) = strcol(2) eq noise ? 0x5a5a5a : 0x2f5f96
    plot 'sensitivity-figure.csv' skip 1 using \
           (this(6) / 2):($0 - 0.17):(abs(this(6)) / 2):(0.17):(light(0)):ytic(2) \
           with boxxyerror lc rgb variable title 'ST (total)', \
         '' skip 1 using (this(3) / 2):($0 + 0.17):(abs(this(3)) / 2):(0.12):(dark(0)) \
           with boxxyerror lc rgb variable title 'S1 (first order)', \
         '' skip 1 using (this(6)):($0 - 0.17):(this(7)):(this(8)) \
           with xerrorbars pt 7 ps 0.3 lc rgb '#1f3f66' notitle, \
         '' skip 1 using (this(3)):($0 + 0.17):(this(4)):(this(5)) \
           with xerrorbars pt 5 ps 0.3 lc rgb '#000000' notitle, \
         '+' using (0):(STATS_min) with points ps 0 notitle, \
         '+' using (1):(STATS_min) with points ps 0 notitle
}
unset multiplot
