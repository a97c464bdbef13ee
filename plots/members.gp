# Each member's commitment over time: median with 50% and 90% bands, one
# panel per member, one colour per member; on each panel the member's
# freeze (dashed) and exit (dotted) thresholds, and a tick at the foot for
# each dated event it took part in.  Many members make a taller figure, so
# that every panel stays legible.  Redraw with: gnuplot members.gp
out_file = @OUTPUT@
load 'common.gp'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
array freeze[@NMEMBERS@] = @FREEZE@
array exit[@NMEMBERS@] = @EXIT@
n = words(ids)
cols = (n <= 3) ? n : (n <= 8 ? 2 : (n <= 18 ? 3 : 4))
rows = ceil(n * 1.0 / cols)
# about 260 pixels a row from the fourth row on
if (rows > 3) {
    eval sprintf(term_format, term_height * rows / 3.0)
    if (out_file ne '') { set output out_file }
}
set multiplot layout rows, cols title @TITLE@ . ': commitment of each member' font ',13'
set yrange [0:1]
set ylabel 'commitment'
# small panels: one tick a year, labelled with the year only
set xtics strptime('%Y-%m-%d', @START@), 365.25 * 86400
set format x '%Y'
set key off
set style fill transparent solid 0.25 noborder
# the member's events: a tick at the foot of its panel
touched(id) = (strcol(4) eq id) ? 0 : NaN
do for [i = 1:n] {
    id = word(ids, i)
    m = 'member:' . id
    set title names[i] . ' (' . id . ')'
    plot 'summary.csv' using 2:(pick(m, 6)):(pick(m, 10)) skip 1 with filledcurves lc rgb colour(i) fs transparent solid 0.18, \
         'summary.csv' using 2:(pick(m, 7)):(pick(m, 9)) skip 1 with filledcurves lc rgb colour(i) fs transparent solid 0.35, \
         'summary.csv' using 2:(pick(m, 8)) skip 1 with lines lw 2 lc rgb colour(i), \
         freeze[i] with lines dt 2 lw 1 lc rgb '#e6ab02', \
         exit[i] with lines dt 3 lw 1 lc rgb '#d95f02', \
         'timeline.csv' using 2:(touched(id)):(0):(0.06) skip 1 with vectors nohead lw 1 lc rgb '#444444'
}
unset multiplot
