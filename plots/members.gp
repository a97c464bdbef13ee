# Each member's commitment over time: median with 50% and 90% bands, one
# panel per member, one colour per member.  Redraw with: gnuplot members.gp
out_file = @OUTPUT@
load 'common.gp'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
n = words(ids)
cols = (n <= 3) ? n : (n <= 8 ? 2 : 3)
rows = ceil(n * 1.0 / cols)
set multiplot layout rows, cols title @TITLE@ . ': commitment of each member' font ',13'
set yrange [0:1]
set ylabel 'commitment'
# small panels: one tick a year, labelled with the year only
set xtics strptime('%Y-%m-%d', @START@), 365.25 * 86400
set format x '%Y'
set key off
set style fill transparent solid 0.25 noborder
do for [i = 1:n] {
    m = 'member:' . word(ids, i)
    set title names[i] . ' (' . word(ids, i) . ')'
    plot 'summary.csv' using 2:(pick(m, 6)):(pick(m, 10)) skip 1 with filledcurves lc rgb colour(i) fs transparent solid 0.18, \
         'summary.csv' using 2:(pick(m, 7)):(pick(m, 9)) skip 1 with filledcurves lc rgb colour(i) fs transparent solid 0.35, \
         'summary.csv' using 2:(pick(m, 8)) skip 1 with lines lw 2 lc rgb colour(i)
}
unset multiplot
