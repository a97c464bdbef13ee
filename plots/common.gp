# Shared settings of every cohesim figure (cohesim fills the @...@ fields).
# Several figures are drawn in one gnuplot session: start from a clean state.
reset
# The terminal, with its height left open for figures of many panels.
term_format = @TERMINAL_FORMAT@
term_height = @TERMINAL_HEIGHT@
eval sprintf(term_format, term_height)
if (out_file ne '') { set output out_file } else { set output }
set datafile separator comma
set datafile missing NaN
set xdata time
set timefmt '%Y-%m-%d'
set format x "%b\n%Y"
set xrange [@START@:@END@]
set grid back lc rgb '#e6e6e6' lw 1
set border 3
set tics nomirror out
set key noenhanced
set termoption noenhanced
# Where the dated record ends and the projection begins ('' for none):
# a dashed vertical on every panel of every time figure.
# Figures whose x axis is not time (sweep, attribution) unset both.
record_end = @RECORD_END@
record_label = "set label 99 'record | projection' at strptime('%Y-%m-%d', record_end), graph 1 right offset -0.3,-0.7 font ',8' tc rgb '#b04040' back"
# (on the text terminal the line alone: its label would cover others)
record_labelled = record_end ne '' && !strstrt(term_format, 'dumb')
if (record_end ne '') {
    set arrow 99 from strptime('%Y-%m-%d', record_end), graph 0 to strptime('%Y-%m-%d', record_end), graph 1 nohead dt 2 lw 1.5 lc rgb '#b04040' back
}
if (record_labelled) { eval record_label }
# One colour per member, the same in every figure.
# Eight colours, then the same colours dashed, dotted, ...: distinct up to
# 40 members on one panel.
array member_colour[8] = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666']
colour(i) = member_colour[(i - 1) % 8 + 1]
dash(i) = int((i - 1) / 8) % 5 + 1
# Rows of summary.csv for one metric; NaN elsewhere so they are skipped.
pick(name, col) = (strcol(3) eq name) ? column(col) : NaN
