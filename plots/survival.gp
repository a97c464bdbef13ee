# Probability that each member has frozen at least once (dashed), is
# frozen at that date (dotted: a member that recovered leaves it) or has
# exited (solid) by each date, across replications.
# Redraw with: gnuplot survival.gp
out_file = @OUTPUT@
load 'common.gp'
ids = @MEMBERS@
array names[@NMEMBERS@] = @NAMES@
n = words(ids)
set title @TITLE@ . ': probability of having frozen (ever), being frozen, having exited' font ',13'
set ylabel 'probability (share of replications)'
set xlabel 'date'
set yrange [0:1.02]
set key outside right top vertical font ',9' samplen 2
picks(id, col) = (strcol(3) eq id) ? column(col) : NaN
plot for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 4)) skip 1 with lines dt 2 lw 2 lc rgb colour(i) title names[i] . ' frozen by', \
     for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 5)) skip 1 with lines dt 3 lw 2 lc rgb colour(i) title names[i] . ' frozen now', \
     for [i = 1:n] 'survival.csv' using 2:(picks(word(ids, i), 6)) skip 1 with lines lw 2 lc rgb colour(i) title names[i] . ' exited'
