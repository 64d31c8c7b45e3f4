#!/usr/bin/env Rscript
# rstan (Stan NUTS) peer for `hbayes sample`: fits one non-centered hierarchical model and prints
# ONE JSON line with its timings, tau's bulk/tail ESS and its gradient (leapfrog) count.
# Usage: Rscript bench/peer_rstan.R MODEL DATA.csv SEED
#   MODEL hier-normal:   DATA has columns estimate,std_error (eight schools)
#   MODEL hier-binomial: DATA has columns successes,trials
# Settings are rstan's defaults on purpose (NUTS, adapt_delta 0.8, diag_e metric), 4 chains x
# (1000 warmup + 1000 draws). `cores` is left at rstan's default, getOption("mc.cores", 1): the
# chains run ONE AFTER ANOTHER in this process, which is how most users call it.
suppressPackageStartupMessages({ library(rstan); library(posterior) })
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: peer_rstan.R MODEL DATA.csv SEED")
model <- args[1]; seed <- as.integer(args[3])
d <- read.csv(args[2], comment.char = "#")

# Stan 2.21 syntax (old `int x[J]` arrays): Debian's rstan is 2.21.
code <- switch(model,
  "hier-normal" = "
data { int<lower=1> J; vector[J] y; vector<lower=0>[J] sigma; }
parameters { real mu; real<lower=0> tau; vector[J] z; }
model {
  mu ~ normal(0, 5); tau ~ cauchy(0, 5); z ~ std_normal();
  y ~ normal(mu + tau * z, sigma);
}",
  "hier-binomial" = "
data { int<lower=1> J; int<lower=0> n[J]; int<lower=0> y[J]; }
parameters { real mu; real<lower=0> tau; vector[J] z; }
model {
  mu ~ normal(0, 5); tau ~ cauchy(0, 5); z ~ std_normal();
  y ~ binomial_logit(n, mu + tau * z);
}",
  stop("unknown model '", model, "' (hier-normal or hier-binomial)"))
data <- switch(model,
  "hier-normal" = list(J = nrow(d), y = d$estimate, sigma = d$std_error),
  "hier-binomial" = list(J = nrow(d), n = as.integer(d$trials), y = as.integer(d$successes)))
if (anyNA(unlist(data))) stop("missing columns or values in ", args[2])

elapsed <- function() proc.time()[["elapsed"]]
t0 <- elapsed()
sm <- stan_model(model_code = code, model_name = gsub("-", "_", model))
compile_s <- elapsed() - t0

t0 <- elapsed()
fit <- sampling(sm, data = data, chains = 4, warmup = 1000, iter = 2000, seed = seed,
                refresh = 0, pars = c("mu", "tau"))
wall_s <- elapsed() - t0

times <- get_elapsed_time(fit)           # per-chain seconds, columns warmup and sample
sp <- get_sampler_params(fit, inc_warmup = TRUE)   # per chain: warmup rows 1..1000, then draws
kept <- function(p) p[1001:2000, , drop = FALSE]
leap_sampling <- sum(sapply(sp, function(p) sum(kept(p)[, "n_leapfrog__"])))
leap_warmup <- sum(sapply(sp, function(p) sum(p[1:1000, "n_leapfrog__"])))
divergences <- sum(sapply(sp, function(p) sum(kept(p)[, "divergent__"])))
tau <- as.array(fit, pars = "tau")[, , 1]   # iterations x chains: chains kept separate

num <- function(x) format(x, digits = 6)
cat(sprintf(paste0('{"peer":"rstan","model":"%s","rstan":"%s","compile_s":%s,"warmup_s":%s,',
                   '"sampling_s":%s,"wall_s":%s,"ess_bulk_tau":%s,"ess_tail_tau":%s,',
                   '"n_leapfrog_total":%d,"n_leapfrog_warmup":%d,"divergences":%d,"chains":4,',
                   '"cores":1}\n'),
            model, packageVersion("rstan"), num(compile_s), num(sum(times[, "warmup"])),
            num(sum(times[, "sample"])), num(wall_s), num(ess_bulk(tau)), num(ess_tail(tau)),
            as.integer(leap_sampling), as.integer(leap_warmup), as.integer(divergences)))
