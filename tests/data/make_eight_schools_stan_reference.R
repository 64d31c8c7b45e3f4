#!/usr/bin/env Rscript
# Writes tests/data/eight_schools_stan_reference.csv: the posterior of eight schools, NON-CENTERED,
# from one long rstan run, summarised by R's `posterior`. `hbayes sample` is tested against it, so
# the run is long enough that the reference's own Monte Carlo error is negligible next to the
# hbayes run's (the test's tolerance is then set by hbayes's MCSE alone).
# Needs Debian r-cran-rstan (+ the BH header symlink, see bench/run_peer_hmc.sh) and r-cran-posterior.
# Run from the repository root: Rscript tests/data/make_eight_schools_stan_reference.R
# (about 3 minutes on 2 cores; most of it sampling).
suppressPackageStartupMessages({ library(rstan); library(posterior) })

seed <- 20240611L
chains <- 8L
warmup <- 5000L
draws <- 200000L   # post-warmup, per chain: 1.6 million draws in all
adapt_delta <- 0.99   # 0.95 left 1 divergence in 1.6 million draws
out_path <- "tests/data/eight_schools_stan_reference.csv"
if (!dir.exists(dirname(out_path))) stop("run from the repository root")

model_code <- "
data { int<lower=1> J; vector[J] y; vector<lower=0>[J] sigma; }
parameters { real mu; real<lower=0> tau; vector[J] z; }
transformed parameters { vector[J] theta = mu + tau * z; }
model {
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 5);   // half-Cauchy through the <lower=0> constraint
  z ~ std_normal();
  y ~ normal(theta, sigma);
}"
data <- list(J = 8L, y = c(28, 8, -3, 7, -1, 1, 18, 12), sigma = c(15, 10, 16, 11, 9, 11, 10, 18))

sm <- stan_model(model_code = model_code, model_name = "eight_schools_noncentered")
fit <- sampling(sm, data = data, chains = chains, warmup = warmup, iter = warmup + draws,
                seed = seed, cores = min(chains, 2L), refresh = 0,
                control = list(adapt_delta = adapt_delta), pars = c("mu", "tau", "theta"))

# A reference with divergences is biased (in tau's lower tail above all): refuse to write it.
divergences <- sum(sapply(get_sampler_params(fit, inc_warmup = FALSE),
                          function(p) sum(p[, "divergent__"])))
if (divergences > 0) stop(divergences, " divergent transitions; raise adapt_delta")

vars <- c("mu", "tau", sprintf("theta[%d]", 1:8))
arr <- as.array(fit, pars = vars)        # iterations x chains x variables
d <- as_draws_array(arr)
s <- summarise_draws(d, mean, sd, mcse_mean, mcse_sd, ess_bulk, rhat)
if (max(s$rhat) > 1.001) stop("R-hat ", max(s$rhat), " > 1.001: the reference has not mixed")

header <- c(
  "# Eight schools, non-centered (theta_j = mu + tau * z_j), posterior reference from Stan NUTS.",
  "# Priors: mu ~ normal(0, 5); tau ~ half-Cauchy(0, 5); z_j ~ normal(0, 1); y_j ~ normal(theta_j, sigma_j).",
  sprintf("# Source: tests/data/make_eight_schools_stan_reference.R; rstan %s, Stan %s, posterior %s, %s.",
          packageVersion("rstan"), stan_version(), packageVersion("posterior"), R.version.string),
  sprintf("# Run: seed %d, %d chains x %d warmup + %d draws (all kept), adapt_delta %.2f, default max_treedepth.",
          seed, chains, warmup, draws, adapt_delta),
  sprintf("# Date %s; divergences after warmup: %d; max R-hat %.5f.",
          format(Sys.Date()), divergences, max(s$rhat)),
  "# Columns from posterior::summarise_draws (mean, sd, mcse_mean, mcse_sd, ess_bulk); theta.j is theta[j].")
writeLines(header, out_path)
table <- data.frame(variable = sub("^theta\\[(\\d)\\]$", "theta.\\1", s$variable),
                    mean = sprintf("%.6f", s$mean), sd = sprintf("%.6f", s$sd),
                    mcse_mean = sprintf("%.6f", s$mcse_mean), mcse_sd = sprintf("%.6f", s$mcse_sd),
                    ess_bulk = sprintf("%.0f", s$ess_bulk))
suppressWarnings(write.table(table, out_path, sep = ",", quote = FALSE, row.names = FALSE,
                             append = TRUE))
print(table, row.names = FALSE)
