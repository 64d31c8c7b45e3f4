#!/usr/bin/env python3
"""hbayes fit against R's VGAM and metafor, in the same run, on the same data.

(a) beta-binomial ML-II on a simulated catalog (default 1e5 stores, fixed seed: trials
    log-uniform on 1..500, rates from Beta(5, 95)): VGAM `vglm(cbind(y, n - y) ~ 1, betabinomialff)`
    against `hbayes fit --model beta-binomial`;
(b) normal-normal REML on a simulated meta-analysis (default k = 2,000 studies, fixed seed:
    standard errors uniform on 0.1..0.5, effects from N(0.3, 0.3^2)): metafor
    `rma(yi, vi, method = "REML")` against `hbayes fit --model normal-normal --method reml`.

Peers are timed around the fit call only (the CSV is read before the clock starts). hbayes is
timed three ways: the CLI's wall time (process start, CSV parsing and JSON included), the seconds
the CLI reports, and the library fit alone on the same columns in memory (bench_fit --fit_csv).
Each peer is also rerun with a tight tolerance, and every estimate's criterion (log marginal
likelihood, REML criterion) is evaluated here independently, so that when estimates differ by more
than 1e-6 relative the run says which one is nearer the maximum.
Run through bench/run_peer_r.sh, which installs R, VGAM and metafor from Debian if missing.
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy import special

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({ library(VGAM); library(metafor) })
out <- function(key, x) cat(key, format(x, digits = 17), "\n")
cat("versions", R.version$major, R.version$minor, "VGAM", as.character(packageVersion("VGAM")),
    "metafor", as.character(packageVersion("metafor")), "\n")

d <- read.csv(args[1])
y <- d$successes; n <- d$trials
vgam_fit <- function(control) {
  start <- proc.time()[["elapsed"]]
  fit <- vglm(cbind(y, n - y) ~ 1, betabinomialff, control = control)
  seconds <- proc.time()[["elapsed"]] - start
  list(coef = Coef(fit), seconds = seconds, iter = fit@iter, loglik = logLik(fit))
}
v <- vgam_fit(vglm.control())
out("vgam_seconds", v$seconds); out("vgam_alpha", v$coef[[1]]); out("vgam_beta", v$coef[[2]])
out("vgam_iter", v$iter); out("vgam_loglik", v$loglik)
if (args[3] == "tight") {
  v <- vgam_fit(vglm.control(epsilon = 1e-12, maxit = 200))
  out("vgam_tight_seconds", v$seconds); out("vgam_tight_alpha", v$coef[[1]])
  out("vgam_tight_beta", v$coef[[2]]); out("vgam_tight_iter", v$iter)
}

m <- read.csv(args[2])
yi <- m$estimate; vi <- m$std_error^2
metafor_fit <- function(control) {
  start <- proc.time()[["elapsed"]]
  fit <- rma(yi, vi, method = "REML", control = control)
  seconds <- proc.time()[["elapsed"]] - start
  list(fit = fit, seconds = seconds)
}
r <- metafor_fit(list())
out("metafor_seconds", r$seconds); out("metafor_mu", coef(r$fit)[[1]])
out("metafor_tau2", r$fit$tau2); out("metafor_se_mu", r$fit$se); out("metafor_se_tau2", r$fit$se.tau2)
out("metafor_loglik", as.numeric(logLik(r$fit)))
if (args[3] == "tight") {
  r <- metafor_fit(list(threshold = 1e-12, maxiter = 1000))
  out("metafor_tight_seconds", r$seconds); out("metafor_tight_mu", coef(r$fit)[[1]])
  out("metafor_tight_tau2", r$fit$tau2)
}
"""


def binomial_catalog(n, seed=20261125):
    rng = np.random.default_rng(seed)
    trials = np.rint(np.exp(rng.uniform(0.0, math.log(500.0), n))).astype(np.int64)
    rates = rng.beta(5.0, 95.0, n)
    return rng.binomial(trials, rates).astype(np.int64), trials


def normal_catalog(k, seed=20261126):
    rng = np.random.default_rng(seed)
    se = rng.uniform(0.1, 0.5, k)
    effect = rng.normal(0.3, 0.3, k)
    return rng.normal(effect, se), se


def write_binomial_csv(path, y, t):
    with open(path, "w") as f:
        f.write("store_id,successes,trials\n")
        f.writelines(f"s{i},{a},{b}\n" for i, (a, b) in enumerate(zip(y.tolist(), t.tolist())))


def write_normal_csv(path, estimate, se):
    # 17 significant digits: R, hbayes and this script read exactly the same doubles.
    with open(path, "w") as f:
        f.write("study_id,estimate,std_error\n")
        f.writelines(f"k{i},{a:.17g},{b:.17g}\n"
                     for i, (a, b) in enumerate(zip(estimate.tolist(), se.tolist())))


def beta_binomial_loglik(y, t, alpha, beta):
    """sum_j log BetaBinomial(y_j | t_j, alpha, beta), binomial coefficients included."""
    terms = (special.gammaln(t + 1.0) - special.gammaln(y + 1.0) - special.gammaln(t - y + 1.0)
             + special.betaln(y + alpha, t - y + beta) - special.betaln(alpha, beta))
    return math.fsum(terms.tolist())


def beta_binomial_score(y, t, alpha, beta):
    """(alpha dL/dalpha, beta dL/dbeta): the gradient in (log alpha, log beta), which is exactly 0
    at the maximum. Digamma sums are far better conditioned than differences of log likelihoods
    (those agree to about 1e-9 here, the rounding level of a 1.6e5-sized sum)."""
    y, t = y.astype(float), t.astype(float)
    common = special.digamma(alpha + beta) - special.digamma(t + alpha + beta)
    da = special.digamma(y + alpha) - special.digamma(alpha) + common
    db = special.digamma(t - y + beta) - special.digamma(beta) + common
    return alpha * math.fsum(da.tolist()), beta * math.fsum(db.tolist())


def reml_score(estimate, se, tau2):
    """d REML / d tau2 = -tr(P) / 2 + r' W^2 r / 2 (intercept-only model): 0 at an interior maximum."""
    w = 1.0 / (se * se + tau2)
    sw = math.fsum(w.tolist())
    r = estimate - math.fsum((w * estimate).tolist()) / sw
    trace_p = sw - math.fsum((w * w).tolist()) / sw
    return -0.5 * trace_p + 0.5 * math.fsum((w * w * r * r).tolist())


def reml_criterion(estimate, se, tau2):
    """metafor's REML log likelihood of the intercept-only model at tau2 (mu profiled out)."""
    v = se * se + tau2
    w = 1.0 / v
    mu = math.fsum((w * estimate).tolist()) / math.fsum(w.tolist())
    rss = math.fsum((w * (estimate - mu) ** 2).tolist())
    k = len(estimate)
    return (-0.5 * (k - 1) * math.log(2.0 * math.pi) + 0.5 * math.log(k)
            - 0.5 * math.fsum(np.log(v).tolist()) - 0.5 * math.log(math.fsum(w.tolist()))
            - 0.5 * rss), mu


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b))


def run_cli(build, args, repeats, threads):
    """Median wall time of `hbayes fit ARGS --threads T` over repeats runs and of the seconds it
    reports."""
    hbayes = os.path.join(build, "src", "hbayes")
    walls, reported = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run([hbayes, "fit"] + args + ["--threads", str(threads)], check=True,
                              capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        reported.append(float(re.search(r", ([0-9.]+) s, backend", done.stderr).group(1)))
    return statistics.median(walls), statistics.median(reported)


def time_library(build, family, path, threads):
    """Seconds per fit of the library on the CSV's columns in memory (bench_fit, real time),
    with OpenMP's threads capped at `threads` (0: all cores)."""
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [os.path.join(build, "bench", "bench_fit"), f"--fit_csv={family}:{path}",
         "--benchmark_filter=/csv", "--benchmark_format=json", "--benchmark_min_time=1"],
        check=True, capture_output=True, text=True, env=env).stdout
    run = json.loads(out)["benchmarks"][0]
    assert run["time_unit"] == "ms", run
    return run["real_time"] / 1e3, int(run["iterations"])


def ratio(x):
    return f"{x:9,.0f}x" if x >= 10 else f"{x:9.2f}x"


def report_hbayes(build, cli_args, family, csv, peer_seconds, peer):
    """Times hbayes on all cores and on one thread, three ways, and prints the ratios."""
    for threads in (0, 1):
        label = "all cores" if threads == 0 else "1 thread"
        cli_wall, cli_reported = run_cli(build, cli_args, 3, threads)
        lib_seconds, reps = time_library(build, family, csv, threads)
        print(f"  hbayes, {label}:")
        print(f"    CLI wall time (process start + CSV parse + fit + JSON; median of 3): "
              f"{cli_wall * 1e3:8.3f} ms = {ratio(peer_seconds / cli_wall)} {peer}")
        print(f"    CLI's own reported seconds (CSV parse + fit + JSON):                 "
              f"{cli_reported * 1e3:8.3f} ms = {ratio(peer_seconds / cli_reported)} {peer}")
        print(f"    library fit, columns in memory (bench_fit, {reps:5d} reps):           "
              f"{lib_seconds * 1e3:8.3f} ms = {ratio(peer_seconds / lib_seconds)} {peer}")


def parse_r(stdout):
    values = {}
    for line in stdout.splitlines():
        key, _, rest = line.partition(" ")
        values[key] = rest.strip()
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--stores", type=int, default=100_000)
    parser.add_argument("--studies", type=int, default=2_000)
    parser.add_argument("--no-tight", action="store_true", help="skip the tight-tolerance reruns")
    parser.add_argument("--workdir", default="/tmp/hbayes-peer-r")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    binomial_csv = os.path.join(args.workdir, "stores.csv")
    normal_csv = os.path.join(args.workdir, "studies.csv")
    r_script = os.path.join(args.workdir, "peers.R")
    fit_json = os.path.join(args.workdir, "fit.json")

    y, t = binomial_catalog(args.stores)
    estimate, se = normal_catalog(args.studies)
    write_binomial_csv(binomial_csv, y, t)
    write_normal_csv(normal_csv, estimate, se)
    # Read back what was written, as every program sees it.
    se = np.array([float(line.split(",")[2]) for line in open(normal_csv).readlines()[1:]])
    estimate = np.array([float(line.split(",")[1]) for line in open(normal_csv).readlines()[1:]])
    with open(r_script, "w") as f:
        f.write(R_SCRIPT)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    r = parse_r(subprocess.run(
        ["Rscript", r_script, binomial_csv, normal_csv, "no" if args.no_tight else "tight"],
        check=True, capture_output=True, text=True).stdout)
    print("R", r["versions"])

    # (a) beta-binomial
    cli_args = ["--model", "beta-binomial", "--backend", "cpu", "--input", binomial_csv,
                "--output", fit_json]
    vgam_seconds = float(r["vgam_seconds"])
    print(f"\n(a) beta-binomial ML-II, {args.stores:,} simulated stores "
          f"(trials log-uniform 1..500, rates Beta(5, 95), seed 20261125)")
    print(f"  VGAM vglm betabinomialff (1 thread): {vgam_seconds:.3f} s  ({r['vgam_iter']} iterations)")
    report_hbayes(args.build, cli_args, "beta-binomial", binomial_csv, vgam_seconds, "VGAM")
    h = json.load(open(fit_json))
    ha, hb = h["hyperparameters"]["alpha"], h["hyperparameters"]["beta"]
    va, vb = float(r["vgam_alpha"]), float(r["vgam_beta"])
    print(f"  hbayes: alpha = {ha:.12g}, beta = {hb:.12g}, {h['iterations']} Newton iterations, "
          f"converged {h['converged']}, relative gradient {h['relative_gradient']:.2e}")
    print(f"  VGAM:   alpha = {va:.12g}, beta = {vb:.12g}")
    print(f"  relative difference: alpha {rel(ha, va):.2e}, beta {rel(hb, vb):.2e} "
          f"(target 1e-6)")
    ll_h = beta_binomial_loglik(y, t, ha, hb)
    ll_v = beta_binomial_loglik(y, t, va, vb)
    print(f"  log marginal likelihood (evaluated here, scipy betaln, fsum): hbayes {ll_h:.10f}, "
          f"VGAM {ll_v:.10f}, hbayes - VGAM = {ll_h - ll_v:.3e}; hbayes reports "
          f"{h['log_marginal_likelihood']:.10f}, VGAM's logLik {float(r['vgam_loglik']):.10f}")
    points = [("hbayes", ha, hb), ("VGAM", va, vb)]
    if "vgam_tight_alpha" in r:
        ta, tb = float(r["vgam_tight_alpha"]), float(r["vgam_tight_beta"])
        ll_t = beta_binomial_loglik(y, t, ta, tb)
        print(f"  VGAM with epsilon = 1e-12 ({float(r['vgam_tight_seconds']):.3f} s, "
              f"{r['vgam_tight_iter']} iterations): alpha = {ta:.12g}, beta = {tb:.12g}; "
              f"vs hbayes: alpha {rel(ha, ta):.2e}, beta {rel(hb, tb):.2e}; "
              f"hbayes - VGAM(tight) log lik = {ll_h - ll_t:.3e}")
        points.append(("VGAM tight", ta, tb))
    for name, a, b in points:
        ga, gb = beta_binomial_score(y, t, a, b)
        print(f"  score at {name + ':':12s} (dL/dlog alpha, dL/dlog beta) = ({ga:+.2e}, {gb:+.2e})")

    # (b) normal-normal REML
    cli_args = ["--model", "normal-normal", "--method", "reml", "--backend", "cpu", "--input",
                normal_csv, "--output", fit_json]
    metafor_seconds = float(r["metafor_seconds"])
    print(f"\n(b) normal-normal REML, k = {args.studies:,} simulated studies "
          f"(se uniform 0.1..0.5, effects N(0.3, 0.3^2), seed 20261126)")
    print(f"  metafor rma REML:                  {metafor_seconds:.3f} s")
    report_hbayes(args.build, cli_args, "normal-normal-reml", normal_csv, metafor_seconds,
                  "metafor")
    h = json.load(open(fit_json))
    hm, ht2 = h["hyperparameters"]["mu"], h["tau2"]
    mm, mt2 = float(r["metafor_mu"]), float(r["metafor_tau2"])
    print(f"  hbayes:  mu = {hm:.12g}, tau^2 = {ht2:.12g} (SE mu {h['std_errors']['mu']:.6g}, "
          f"SE tau^2 {h['tau2_std_error']:.6g}), {h['iterations']} iterations, converged "
          f"{h['converged']}, relative gradient {h['relative_gradient']:.2e}")
    print(f"  metafor: mu = {mm:.12g}, tau^2 = {mt2:.12g} (SE mu {float(r['metafor_se_mu']):.6g}, "
          f"SE tau^2 {float(r['metafor_se_tau2']):.6g})")
    print(f"  relative difference: mu {rel(hm, mm):.2e}, tau^2 {rel(ht2, mt2):.2e} (target 1e-6)")
    ll_h, _ = reml_criterion(estimate, se, ht2)
    ll_m, _ = reml_criterion(estimate, se, mt2)
    print(f"  REML criterion (evaluated here, fsum): hbayes {ll_h:.10f}, metafor {ll_m:.10f}, "
          f"hbayes - metafor = {ll_h - ll_m:.3e}; hbayes reports "
          f"{h['log_marginal_likelihood']:.10f}, metafor's logLik {float(r['metafor_loglik']):.10f}")
    if "metafor_tight_tau2" in r:
        tm, tt2 = float(r["metafor_tight_mu"]), float(r["metafor_tight_tau2"])
        ll_t, _ = reml_criterion(estimate, se, tt2)
        print(f"  metafor with threshold = 1e-12 ({float(r['metafor_tight_seconds']):.3f} s): "
              f"mu = {tm:.12g}, tau^2 = {tt2:.12g}; vs hbayes: mu {rel(hm, tm):.2e}, "
              f"tau^2 {rel(ht2, tt2):.2e}; hbayes - metafor(tight) criterion = {ll_h - ll_t:.3e}")
    print(f"  REML score dREML/dtau^2 at hbayes: {reml_score(estimate, se, ht2):+.2e}, "
          f"at metafor: {reml_score(estimate, se, mt2):+.2e}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    for path in (binomial_csv, normal_csv, r_script, fit_json):
        os.remove(path)


if __name__ == "__main__":
    sys.exit(main())
