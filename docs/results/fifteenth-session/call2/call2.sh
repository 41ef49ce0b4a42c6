#!/usr/bin/env bash
# Session 15, call 2: where the 128-token prefill's time goes. Every kernel of one prefill (+ lm_head + sampler) timed
# alone by Nsight Compute; the first eight with speed of light, launch, occupancy, warp states; ln_matmul's and
# matmul_residual's stalls by source line.
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
P="$(python3 -c 'print(" a"*128)')"
G=(generate --model gpt2 --prompt "$P" --tokens 1 --engine fused --dtype bf16)
ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu | head -1)
K="regex:ln_matmul|matmul_residual|prefill_|gemv|lm_head|sample_token"
timeout 120 $ncu --graph-profiling node -k "$K" --launch-count 100 --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size \
  --csv --print-units base scripts/gpu-run "${G[@]}" > $OUT/prefill-times.csv 2> $OUT/prefill-times.log; echo "times rc=$?"
python3 - $OUT/prefill-times.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(l for l in open(sys.argv[1]) if l.startswith('"'))]
h=rows[0]; i=h.index('Kernel Name'); m=h.index('Metric Name'); v=h.index('Metric Value'); idx=h.index('ID')
k=collections.OrderedDict()
for r in rows[1:]:
    k.setdefault(r[idx],{'name':r[i].split('(')[0]})[r[m]]=r[v]
tot=collections.defaultdict(float); n=collections.Counter()
for id_,d in k.items():
    t=float(d.get('gpu__time_duration.sum','0').replace(',',''))
    tot[d['name']]+=t; n[d['name']]+=1
    if int(id_)<12: print(id_, d['name'], d)
for name in tot: print(f"{name:28s} n={n[name]:3d} total {tot[name]/1000:8.2f} us  mean {tot[name]/n[name]/1000:6.2f}")
print("all", sum(tot.values())/1000)
PY
timeout 150 $ncu --graph-profiling node -k "$K" --launch-count 9 --section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis \
  -f -o $OUT/prefill scripts/gpu-run "${G[@]}" > $OUT/prefill-ncu.log 2>&1; echo "ncu rc=$?"
$ncu --import $OUT/prefill.ncu-rep --page details > $OUT/prefill-details.txt 2>&1
grep -E "^  [a-z_0-9]+|Duration|DRAM Throughput|Compute \(SM\) Throughput|Registers Per|Achieved Occupancy|Grid Size|Warp Cycles Per Issued" $OUT/prefill-details.txt | head -100
for k in ln_matmul matmul_residual; do
  timeout 100 scripts/gpu-stalls $k $OUT/stalls-$k -- "${G[@]}" > $OUT/stalls-$k.txt 2>&1; echo "stalls $k rc=$?"; head -25 $OUT/stalls-$k.txt
done
date -u
