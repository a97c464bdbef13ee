# Probability that each member has frozen at least once (dashed), is
# frozen at that date (dotted: a member that recovered leaves it) or has
# exited (solid) by each date, across replications.  Up to 8 members share
# one panel (one colour each); more get a panel each, laid out as in
# members.gp.  Redraw with: gnuplot survival.gp
out_file = @OUTPUT@
load 'common.gp'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
n = words(ids)
picks(id, col) = (strcol(3) eq id) ? column(col) : NaN
set yrange [0:1.02]
if (n <= 8) {
    set title @TITLE@ . ': probability of having frozen (ever), being frozen, having exited' font ',13'
    set ylabel 'probability (share of replications)'
    set xlabel 'date'
    set key outside right top vertical font ',9' samplen 2
    plot for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 4)) skip 1 with lines dt 2 lw 2 lc rgb colour(i) title names[i] . ' frozen by', \
         for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 5)) skip 1 with lines dt 3 lw 2 lc rgb colour(i) title names[i] . ' frozen now', \
         for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 6)) skip 1 with lines lw 2 lc rgb colour(i) title names[i] . ' exited'
} else {
    cols = n <= 18 ? 3 : 4
    rows = ceil(n * 1.0 / cols)
    eval sprintf(term_format, term_height * rows / 3.0)
    if (out_file ne '') { set output out_file }
    set multiplot layout rows, cols title @TITLE@ . ': probability of having frozen (dashed: ever; dotted: now) or exited (solid)' font ',13'
    set xtics strptime('%Y-%m-%d', @START@), 365.25 * 86400
    set format x '%Y'
    set ylabel 'probability'
    unset key
    do for [i = 1:n] {
        id = word(ids, i)
        set title names[i] . ' (' . id . ')'
        plot 'survival.csv' using 2:(picks(id, 4)) skip 1 with lines dt 2 lw 2 lc rgb colour(i), \
             'survival.csv' using 2:(picks(id, 5)) skip 1 with lines dt 3 lw 2 lc rgb colour(i), \
             'survival.csv' using 2:(picks(id, 6)) skip 1 with lines lw 2 lc rgb colour(i)
    }
    unset multiplot
}
