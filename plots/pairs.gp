# The posterior's particles two priors at a time (the lower triangle:
# prior i across, prior j up), each point sized by its weight, from
# posterior.csv.  A band or a corner left empty is a combination the
# milestones rule out even where each value alone is allowed.  Redraw
# with: gnuplot pairs.gp
out_file = @OUTPUT@
load 'common.gp'
array paths[@NAXES@] = @AXES@
K = @NAXES@
n = K - 1
if (n > 2) { eval sprintf(term_format, term_height * n / 2.0) }
set xdata
set format x '%g'
set format y '%g'
set xtics font ',7'
set ytics font ',7'
set key off
stats 'posterior.csv' skip 1 using 2 nooutput
wmax = STATS_max
set multiplot layout n,n title @TITLE@ font ',13'
# column 2 is the weight, column 2 + i prior i
do for [j = 2:K] {
    do for [i = 1:n] {
        if (i < j) {
            set xrange [*:*]
            set yrange [*:*]
            set xlabel (j == K ? paths[i] : '') font ',8' noenhanced
            set ylabel (i == 1 ? paths[j] : '') font ',8' noenhanced
            plot 'posterior.csv' skip 1 using (column(2 + i)):(column(2 + j)):(0.15 + 0.6 * column(2) / wmax) \
                   with points pt 7 ps variable lc rgb '#2f5f96'
        } else {
            set multiplot next
        }
    }
}
unset multiplot
