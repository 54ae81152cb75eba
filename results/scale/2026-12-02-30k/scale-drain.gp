# reapbench: makes scale-drain.svg; re-plot with `gnuplot scale-drain.gp` in this directory
set terminal svg size 960,600 dynamic noenhanced font "sans,12" background "white"
set output "scale-drain.svg"
set datafile separator ","
set datafile columnheaders
set datafile missing ""
set logscale xy
set grid
set key top left
set xlabel "storm size N (processes)"
set ylabel "drain (ms, log scale)"
set title "hoard of N: drain time against N (medians are the runs' middle)"
d(r) = strcol(1) eq r ? $4 : NaN
plot  "scale.csv" using 2:(d("bash")) smooth unique with steps lc rgb "#9400d3" dt 1 lw 1.5 title "bash", \
     "scale.csv" using 2:(d("catatonit")) smooth unique with steps lc rgb "#009e73" dt 1 lw 1.5 title "catatonit", \
     "scale.csv" using 2:(d("catatonit-g")) smooth unique with steps lc rgb "#56b4e9" dt 1 lw 1.5 title "catatonit-g", \
     "scale.csv" using 2:(d("dumb-init")) smooth unique with steps lc rgb "#e69f00" dt 1 lw 1.5 title "dumb-init", \
     "scale.csv" using 2:(d("dumb-init-c")) smooth unique with steps lc rgb "#f0e442" dt 1 lw 1.5 title "dumb-init-c", \
     "scale.csv" using 2:(d("none")) smooth unique with steps lc rgb "#0072b2" dt 1 lw 1.5 title "none", \
     "scale.csv" using 2:(d("pause")) smooth unique with steps lc rgb "#e51e10" dt 1 lw 1.5 title "pause", \
     "scale.csv" using 2:(d("tini")) smooth unique with steps lc rgb "#000000" dt 1 lw 1.5 title "tini", \
     "scale.csv" using 2:(d("tini-g")) smooth unique with steps lc rgb "#808080" dt 1 lw 1.5 title "tini-g", \
     "scale.csv" using 2:(d("reference")) smooth unique with steps lc rgb "#a0522d" dt 1 lw 1.5 title "reference"
