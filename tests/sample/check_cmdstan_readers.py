#!/usr/bin/env python3
"""Checks that CmdStan's readers load `hbayes sample --output-dir` as they load CmdStan's files.

Usage: check_cmdstan_readers.py READER HBAYES EIGHT_SCHOOLS_CSV
READER is arviz (az.from_cmdstan), rstan (rstan::read_stan_csv) or cmdstanpy (from_csv). Runs
hbayes on eight schools (4 chains, 200 warmup, 300 draws, thin 2) and checks what the reader
makes of the directory: chain and draw counts, parameter names and shapes, the run's settings,
and draws equal to the summary's mean. Exits 0 on success and 1 on a failed check or a missing
reader (scripts/setup-debian.sh installs them: r-cran-rstan, and arviz and cmdstanpy in the
virtual environment .venv-readers).
"""
import ast
import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile

CHAINS, WARMUP, DRAWS, THIN, GROUPS = 4, 200, 300, 2, 8
KEPT = 1 + (DRAWS - 1) // THIN


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run_hbayes(hbayes, data, work):
    # The fixture's '#' lines describe its source; the catalog reader takes no comments.
    catalog = os.path.join(work, "eight_schools.csv")
    with open(data) as source, open(catalog, "w") as out:
        out.writelines(line for line in source if not line.startswith("#"))
    out_dir = os.path.join(work, "draws")
    summary = os.path.join(work, "summary.csv")
    command = [hbayes, "sample", "--model", "hier-normal", "--input", catalog,
               "--estimate-column", "y", "--std-error-column", "sigma",
               "--chains", str(CHAINS), "--warmup", str(WARMUP), "--draws", str(DRAWS),
               "--thin", str(THIN), "--seed", "11", "--backend", "cpu",
               "--output-dir", out_dir, "--summary", summary]
    result = subprocess.run(command, capture_output=True, text=True)
    check(result.returncode == 0, "hbayes sample failed:\n" + result.stderr)
    files = sorted(glob.glob(os.path.join(out_dir, "*.csv")))
    expected = [os.path.join(out_dir, "hier-normal_%d.csv" % c) for c in range(1, CHAINS + 1)]
    check(files == expected, "chain files %s" % files)
    with open(summary) as f:
        means = {row["variable"]: float(row["mean"]) for row in csv.DictReader(f)}
    return files, means


def close(a, b):
    return abs(a - b) <= 1e-12 * (abs(a) + abs(b)) + 1e-12


def check_arviz(files, means):
    import arviz as az

    data = az.from_cmdstan(posterior=files)
    posterior = data.posterior
    check(set(posterior.data_vars) == {"mu", "tau", "theta"},
          "posterior variables %s" % list(posterior.data_vars))
    check(dict(posterior.sizes)["chain"] == CHAINS and dict(posterior.sizes)["draw"] == KEPT,
          "posterior sizes %s" % dict(posterior.sizes))
    check(posterior["theta"].shape == (CHAINS, KEPT, GROUPS),
          "theta shape %s" % (posterior["theta"].shape,))
    stats = set(data.sample_stats.data_vars)
    for name in ("lp", "acceptance_rate", "step_size", "n_steps", "diverging", "energy"):
        check(name in stats, "sample_stats lacks %s: %s" % (name, sorted(stats)))
    for name in ("mu", "tau"):
        check(close(float(posterior[name].mean()), means[name]),
              "%s mean %r, summary.csv %r" % (name, float(posterior[name].mean()), means[name]))
    attrs = posterior.attrs
    check(attrs["num_samples"] == [str(DRAWS)] * CHAINS, "num_samples %s" % attrs["num_samples"])
    check(attrs["thin"] == [str(THIN)] * CHAINS, "thin %s" % attrs["thin"])
    check(attrs["id"] == [str(c) for c in range(1, CHAINS + 1)], "id %s" % attrs["id"])
    metric = ast.literal_eval(attrs["inverse_mass_matrix"][0])
    check(len(metric) == GROUPS + 2, "inverse mass matrix %s" % metric)
    check(float(attrs["step_size"][0]) > 0, "step size %s" % attrs["step_size"])
    check("sampling_time_seconds" in attrs, "no sampling time")


def check_cmdstanpy(files, means):
    import cmdstanpy

    fit = cmdstanpy.from_csv(files)
    check(fit.chains == CHAINS, "chains %s" % fit.chains)
    check(fit.num_draws_sampling == KEPT, "draws %s" % fit.num_draws_sampling)
    check(fit.metric_type == "diag_e", "metric %s" % fit.metric_type)
    check(fit.stan_variable("theta").shape == (CHAINS * KEPT, GROUPS), "theta shape")
    check(close(float(fit.stan_variable("mu").mean()), means["mu"]), "mu mean")


R_CHECK = r"""
options(warn = 2)  # a reader's warning (e.g. iterations not matching the header) fails
suppressMessages(library(rstan))
args <- commandArgs(trailingOnly = TRUE)
chains <- as.integer(args[1]); warmup <- as.integer(args[2]); draws <- as.integer(args[3])
thin <- as.integer(args[4]); groups <- as.integer(args[5]); mu_mean <- as.numeric(args[6])
files <- args[-(1:6)]
fit <- read_stan_csv(files)
stopifnot(fit@sim$chains == chains, fit@sim$warmup == warmup, fit@sim$thin == thin,
          fit@sim$iter == warmup + draws, fit@model_name == "hier-normal",
          identical(fit@model_pars, c("mu", "tau", "theta", "lp__")),
          fit@par_dims$theta == groups,
          identical(dim(as.array(fit)), c(1L + (draws - 1L) %/% thin, chains, groups + 3L)),
          all(dim(get_elapsed_time(fit)) == c(chains, 2)),
          abs(mean(extract(fit, "mu")$mu) - mu_mean) <= 1e-12 * abs(mu_mean) + 1e-12,
          identical(sort(colnames(get_sampler_params(fit, inc_warmup = FALSE)[[1]])),
                    sort(c("accept_stat__", "stepsize__", "n_leapfrog__", "divergent__",
                           "energy__"))))
cat("rstan read", chains, "chains\n")
"""


def check_rstan(files, means):
    rscript = shutil.which("Rscript")
    args = [str(v) for v in (CHAINS, WARMUP, DRAWS, THIN, GROUPS, repr(means["mu"]))]
    result = subprocess.run([rscript, "-e", R_CHECK] + args + files,
                            capture_output=True, text=True)
    check(result.returncode == 0, "rstan::read_stan_csv:\n" + result.stdout + result.stderr)


def require(reader):
    """Fails, naming what to install, unless `reader` can be used here."""
    if reader in ("arviz", "cmdstanpy"):
        try:
            __import__(reader)
        except ImportError:
            fail(reader + " is not importable by " + sys.executable +
                 ": run scripts/setup-debian.sh (it installs it into .venv-readers)")
        return
    rscript = shutil.which("Rscript")
    if rscript is None:
        fail("Rscript is not installed: apt-get install r-cran-rstan (scripts/setup-debian.sh)")
    probe = subprocess.run(
        [rscript, "-e", "quit(status = !requireNamespace('rstan', quietly = TRUE))"],
        capture_output=True)
    if probe.returncode != 0:
        fail("the R package rstan is not installed: apt-get install r-cran-rstan")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("arviz", "rstan", "cmdstanpy"):
        print(__doc__)
        sys.exit(2)
    reader, hbayes, data = sys.argv[1:]
    require(reader)  # before the run, so that a missing reader is reported first
    with tempfile.TemporaryDirectory(prefix="hbayes-readers-") as work:
        files, means = run_hbayes(hbayes, data, work)
        {"arviz": check_arviz, "rstan": check_rstan, "cmdstanpy": check_cmdstanpy}[reader](
            files, means)
    print("PASS: %s reads hbayes sample --output-dir" % reader)


if __name__ == "__main__":
    main()
