#!/usr/bin/env bash
# How often non-centered eight schools shows divergent transitions after warmup, over seeds:
# hbayes at a chain count and step-size target, and (PEERS includes rstan) Stan's NUTS at its
# defaults (4 chains x 1,000 + 1,000). Prints the seeds with at least one divergence, the
# divergent transitions in all, and for hbayes tau's bulk ESS per 1,000 gradients per chain of
# the whole run. bench/RESULTS.md, "session 8", item 3, came from this script.
#
# Usage: bench/eight_schools_divergences.sh
#   HBAYES  hbayes binary (build/src/hbayes)   CHAINS  hbayes chains (64)   SEEDS  how many (40)
#   TARGET  --target-accept (hbayes's default)   PEERS  "hbayes" or "hbayes rstan" (hbayes)
set -euo pipefail
cd "$(dirname "$0")/.."
HBAYES=${HBAYES:-build/src/hbayes}
CHAINS=${CHAINS:-64}
SEEDS=${SEEDS:-40}
PEERS=${PEERS:-hbayes}
target=()
[[ -n ${TARGET:-} ]] && target=(--target-accept "$TARGET")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'school,estimate,std_error\nA,28,15\nB,8,10\nC,-3,16\nD,7,11\nE,-1,9\nF,1,11\nG,18,10\nH,12,18\n' \
  > "$work/schools.csv"

if [[ " $PEERS " == *" hbayes "* ]]; then
  seeds_with=0 total=0 efficiency=0
  for seed in $(seq 1 "$SEEDS"); do
    "$HBAYES" sample --model hier-normal --input "$work/schools.csv" --chains "$CHAINS" \
      --seed "$seed" "${target[@]}" --no-draws --summary "$work/summary.csv" \
      > /dev/null 2> "$work/stderr.txt"
    divergent=$(grep -o '[0-9]* of [0-9]* transitions after warmup were divergent' \
                  "$work/stderr.txt" | cut -d' ' -f1 || true)
    divergent=${divergent:-0}
    gradients=$(grep -o '[0-9]* gradient evaluations' "$work/stderr.txt" | cut -d' ' -f1)
    ess=$(awk -F, '$1 == "tau" { print $9 }' "$work/summary.csv")
    seeds_with=$((seeds_with + (divergent > 0)))
    total=$((total + divergent))
    efficiency=$(awk -v e="$efficiency" -v ess="$ess" -v g="$gradients" -v c="$CHAINS" \
                   'BEGIN { print e + 1000 * ess / (g / c) }')
  done
  awk -v s="$seeds_with" -v t="$total" -v e="$efficiency" -v n="$SEEDS" -v c="$CHAINS" \
    'BEGIN { printf "hbayes, %d chains: %d of %d seeds with divergences (%d transitions); tau ESS per 1,000 gradients per chain %.1f\n", c, s, n, t, e / n }'
fi

if [[ " $PEERS " == *" rstan "* ]]; then
  SEEDS=$SEEDS Rscript - <<'RSCRIPT'
suppressPackageStartupMessages(library(rstan))
code <- "
data { int<lower=1> J; vector[J] y; vector<lower=0>[J] sigma; }
parameters { real mu; real<lower=0> tau; vector[J] z; }
transformed parameters { vector[J] theta = mu + tau * z; }
model { mu ~ normal(0, 5); tau ~ cauchy(0, 5); z ~ std_normal(); y ~ normal(theta, sigma); }"
data <- list(J = 8L, y = c(28, 8, -3, 7, -1, 1, 18, 12), sigma = c(15, 10, 16, 11, 9, 11, 10, 18))
model <- stan_model(model_code = code)
seeds <- as.integer(Sys.getenv("SEEDS"))
total <- 0; seeds_with <- 0
for (seed in seq_len(seeds)) {
  fit <- suppressWarnings(sampling(model, data = data, chains = 4, seed = seed, refresh = 0,
                                   cores = 1))
  d <- sum(sapply(get_sampler_params(fit, inc_warmup = FALSE), function(p) sum(p[, "divergent__"])))
  total <- total + d; seeds_with <- seeds_with + (d > 0)
}
cat(sprintf("rstan %s, 4 chains: %d of %d seeds with divergences (%d transitions)\n",
            packageVersion("rstan"), seeds_with, seeds, total))
RSCRIPT
fi
