#!/usr/bin/env bash
# `hbayes sample` against rstan (Stan NUTS) and NumPyro (vectorized NUTS, JAX CPU, float64) on two
# non-centered hierarchical models, in the same run, on the same machine and the same data:
#   hier-normal    eight schools (8 groups)
#   hier-binomial  simulated catalog, 1,000 groups x 50 trials (bench/make_hier_binomial.py)
# Prints every peer's raw JSON line, then a table of tau's bulk ESS per second and per gradient.
#
# Usage: bench/run_peer_hmc.sh
#   HBAYES  hbayes binary (default build/src/hbayes)       CHAINS  hbayes + NumPyro chains (64)
#   PEERS   subset of "rstan numpyro hbayes" to run        SEED    seed for all peers (1)
#   MODELS  subset of "hier-normal hier-binomial"            HBAYES_ARGS  extra hbayes options
#   PY      Python with numpyro/jax/arviz (default: the python3 on PATH, pyenv here)
# rstan keeps its defaults: 4 chains run one after another (cores = getOption("mc.cores", 1)).
# hbayes uses all cores by default (--threads); pass HBAYES_ARGS="--threads 1" for one core.
# NumPyro's hier-binomial run is the slow one: about 20 minutes on a loaded 2-core VM.
set -euo pipefail
cd "$(dirname "$0")/.."
HBAYES=${HBAYES:-build/src/hbayes}
CHAINS=${CHAINS:-64}
SEED=${SEED:-1}
PEERS=${PEERS:-rstan numpyro hbayes}
PY=${PY:-python3}
MODELS=${MODELS:-hier-normal hier-binomial}
HBAYES_ARGS=${HBAYES_ARGS:-}
wants() { [[ " $PEERS " == *" $1 "* ]]; }

# --- install missing peers (Debian rstan 2.21 + posterior; PyPI numpyro, jax, arviz) -------------
if wants rstan; then
  if ! Rscript -e 'library(rstan); library(posterior)' >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-rstan r-cran-posterior
  fi
  # Debian's r-cran-bh ships no headers, but rstan compiles models against BH/include/boost.
  bh=$(Rscript -e 'cat(system.file(package = "BH"))')
  [[ -n $bh ]] || { echo "R package BH not found" >&2; exit 1; }
  if [[ ! -e $bh/include/boost ]]; then
    mkdir -p "$bh/include" && ln -s /usr/include/boost "$bh/include/boost"
  fi
fi
if wants numpyro && ! "$PY" -c 'import numpyro, jax, arviz' 2>/dev/null; then
  "$PY" -m pip install -q numpyro jax arviz
fi
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy
if wants hbayes && [[ ! -x $HBAYES ]]; then
  echo "no hbayes binary at '$HBAYES' (build it, set HBAYES, or drop hbayes from PEERS)" >&2
  exit 1
fi

# --- data ----------------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/make_hier_binomial.py > "$work/hier-binomial.csv"
cat > "$work/hier-normal.csv" <<'EOF'
school,estimate,std_error
A,28,15
B,8,10
C,-3,16
D,7,11
E,-1,9
F,1,11
G,18,10
H,12,18
EOF

# hbayes as one JSON line in the peers' format. Its draws.csv follows CmdStan: the timing comment
# lines ("#  Elapsed Time: X seconds (Warm-up)", "#  Y seconds (Sampling)") give warmup_s and
# sampling_s (lockstep chains share one clock; if several blocks appear the largest is taken), and
# n_leapfrog_total is n_leapfrog__ summed over every row = all chains x kept draws (sampling phase
# only; warm-up draws are not saved). Tau's ESS comes from summary.csv.
run_hbayes() {
  local model=$1 out=$work/hbayes-$1 t0 t1
  mkdir -p "$out"
  t0=$(date +%s.%N)
  "$HBAYES" sample --model "$model" --input "$work/$model.csv" --chains "$CHAINS" \
    --warmup 1000 --draws 1000 --seed "$SEED" --output "$out/draws.csv" \
    --summary "$out/summary.csv" $HBAYES_ARGS > "$out/stdout.txt"
  t1=$(date +%s.%N)
  /usr/bin/python3 - "$model" "$out" "$CHAINS" "$t0" "$t1" <<'EOF'
import csv, json, re, sys
model, out, chains, t0, t1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(float, sys.argv[4:6])
warm, samp = [], []
def data_lines(f):  # streams the draws (64,000 rows x 1,000 columns for hier-binomial)
    for line in f:
        if line.startswith("#"):
            if m := re.search(r"([0-9.eE+-]+) seconds \(Warm-up\)", line): warm.append(float(m[1]))
            if m := re.search(r"([0-9.eE+-]+) seconds \(Sampling\)", line): samp.append(float(m[1]))
        elif line.strip():
            yield line
with open(f"{out}/draws.csv") as f:
    reader = csv.reader(data_lines(f))
    header = next(reader, [])
    if "n_leapfrog__" not in header:
        sys.exit(f"{out}/draws.csv: no header with an n_leapfrog__ column")
    leap, div = header.index("n_leapfrog__"), header.index("divergent__") if "divergent__" in header else None
    n_rows = n_leapfrog = divergences = 0
    for row in reader:
        n_rows += 1
        n_leapfrog += int(float(row[leap]))
        divergences += int(float(row[div])) if div is not None else 0
if not warm or not samp or n_rows == 0:
    sys.exit(f"{out}/draws.csv: no draws or no CmdStan timing comment lines")
with open(f"{out}/summary.csv") as f:
    tau = [r for r in csv.DictReader(l for l in f if not l.startswith("#")) if r["variable"] == "tau"]
if len(tau) != 1:
    sys.exit(f"{out}/summary.csv: no single row for tau")
print(json.dumps({
    "peer": "hbayes", "model": model, "compile_s": 0.0, "warmup_s": max(warm),
    "sampling_s": max(samp), "wall_s": round(t1 - t0, 6),
    "ess_bulk_tau": float(tau[0]["ess_bulk"]), "ess_tail_tau": float(tau[0]["ess_tail"]),
    "n_leapfrog_total": n_leapfrog, "divergences": divergences,
    "chains": chains, "kept_rows": n_rows}))
EOF
}

# --- run: each peer's stdout is filtered to its JSON line(s), so stray output cannot corrupt it ---
results=$work/results.jsonl
for model in $MODELS; do
  if wants rstan; then Rscript bench/peer_rstan.R "$model" "$work/$model.csv" "$SEED" | grep '^{' | tee -a "$results"; fi
  if wants numpyro; then "$PY" bench/peer_numpyro.py "$model" "$work/$model.csv" "$SEED" "$CHAINS" | grep '^{' | tee -a "$results"; fi
  if wants hbayes; then run_hbayes "$model" | tee -a "$results"; fi
done

# --- table ---------------------------------------------------------------------------------------
echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs visible; $(date -u +%FT%TZ)"
/usr/bin/python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
# NumPyro: the second run (JIT cached) gives ESS and the sampling-only times; its "incl. compile"
# figure is the first run's own: its ESS over its wall time, which includes the JIT. (First
# minus second wall, shown as compile_s, is only an estimate of the JIT: run-to-run noise can
# exceed it, and it is shown as 0 when negative.)
first = {r["model"]: r for r in rows if r.get("run") == "first"}
print("ESS = bulk ESS of tau. ess/s samp = ESS / sampling phase; ess/s w+s = ESS / (warm-up + "
      "sampling);\ness/s all = ESS / (compile or JIT + warm-up + sampling); grads = leapfrog steps "
      "in the sampling phase, all chains;\nlockstep = gradients actually computed when chains "
      "step together (NumPyro pads each iteration to its slowest chain; rstan and hbayes pad nothing).")
fmt = "{:<14}{:<8}{:>7}{:>9}{:>9}{:>11}{:>10}{:>11}{:>10}{:>11}{:>10}{:>9}{:>11}{:>9}"
print(fmt.format("model", "peer", "chains", "ESS", "samp_s", "ess/s samp", "w+s_s",
                 "ess/s w+s", "compile_s", "ess/s all", "grads", "ess/grad", "lockstep", "ess/lsg"))
for r in rows:
    if r.get("run") == "first":
        continue
    ess, ws = r["ess_bulk_tau"], r["warmup_s"] + r["sampling_s"]
    if r["peer"] == "numpyro" and r["model"] in first:
        f = first[r["model"]]
        compile_s = max(0.0, f["first_run_s"] - f["second_run_s"])
        ess_all = f["ess_bulk_tau"] / f["first_run_s"]
    else:
        compile_s = r["compile_s"]
        ess_all = ess / (compile_s + ws)
    lockstep = r.get("n_leapfrog_lockstep", r["n_leapfrog_total"])
    print(fmt.format(r["model"], r["peer"], r["chains"], f"{ess:.0f}", f"{r['sampling_s']:.3f}",
                     f"{ess / r['sampling_s']:.0f}", f"{ws:.3f}", f"{ess / ws:.0f}",
                     f"{compile_s:.1f}", f"{ess_all:.1f}", r["n_leapfrog_total"],
                     f"{ess / r['n_leapfrog_total']:.4f}", lockstep, f"{ess / lockstep:.4f}"))
EOF
