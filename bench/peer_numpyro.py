#!/usr/bin/env python3
"""NumPyro (JAX, CPU, float64) peer for `hbayes sample`: NUTS with chain_method='vectorized'.

Usage: python3 bench/peer_numpyro.py MODEL DATA.csv SEED CHAINS   (the pyenv python3: PyPI numpyro)
  MODEL hier-normal (columns estimate,std_error) or hier-binomial (columns successes,trials),
  both non-centered: theta_j = mu + tau * z_j, mu ~ N(0, 5), tau ~ half-Cauchy(5), z_j ~ N(0, 1).
CHAINS must equal hbayes's chain count: vectorized chains advance in lockstep like hbayes's, so
the comparison is many-chain against many-chain.

Two identical runs (1000 warmup + 1000 draws) on the same MCMC object, the second with another
seed: the first pays JAX tracing + XLA compilation, the second reuses the compiled functions, so
first_run_s - second_run_s is the JIT cost (reported as compile_s). Prints one JSON line per run.
"""
import json
import os
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402
import arviz as az  # noqa: E402

numpyro.enable_x64()  # float64 like Stan and hbayes; float32 would flatter NumPyro's speed


def hier_normal(y, sigma):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
    with numpyro.plate("groups", y.shape[0]):
        z = numpyro.sample("z", dist.Normal(0.0, 1.0))
        numpyro.sample("y", dist.Normal(mu + tau * z, sigma), obs=y)


def hier_binomial(successes, trials):
    mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
    with numpyro.plate("groups", successes.shape[0]):
        z = numpyro.sample("z", dist.Normal(0.0, 1.0))
        numpyro.sample("y", dist.Binomial(trials, logits=mu + tau * z), obs=successes)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: peer_numpyro.py MODEL DATA.csv SEED CHAINS")
    model_name, path, seed, chains = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    table = np.genfromtxt(path, delimiter=",", names=True, comments="#", dtype=None,
                          encoding="utf-8")
    if model_name == "hier-normal":
        model = hier_normal
        data = (np.asarray(table["estimate"], float), np.asarray(table["std_error"], float))
    elif model_name == "hier-binomial":
        model = hier_binomial
        data = (np.asarray(table["successes"], float), np.asarray(table["trials"], float))
    else:
        sys.exit(f"unknown model '{model_name}' (hier-normal or hier-binomial)")

    mcmc = MCMC(NUTS(model), num_warmup=1000, num_samples=1000, num_chains=chains,
                chain_method="vectorized", progress_bar=False)

    def one_run(key):
        # warmup() then run() so that the two phases are timed apart; block_until_ready because
        # JAX dispatches asynchronously and the clock would otherwise stop early.
        t0 = time.perf_counter()
        mcmc.warmup(key, *data)
        jax.block_until_ready(mcmc.post_warmup_state)
        t1 = time.perf_counter()
        mcmc.run(mcmc.post_warmup_state.rng_key, *data, extra_fields=("num_steps", "diverging"))
        tau = jax.block_until_ready(mcmc.get_samples(group_by_chain=True)["tau"])
        t2 = time.perf_counter()
        extra = mcmc.get_extra_fields(group_by_chain=True)
        tau = np.asarray(tau)  # chains x draws: chains kept separate for ESS
        return {
            "warmup_s": t1 - t0, "sampling_s": t2 - t1, "wall_s": t2 - t0,
            "ess_bulk_tau": float(az.ess(tau, method="bulk")),
            "ess_tail_tau": float(az.ess(tau, method="tail")),
            # num_steps = leapfrog steps per NUTS transition = gradient evaluations.
            "n_leapfrog_total": int(np.sum(extra["num_steps"])),
            # Vectorized chains step in lockstep: each iteration costs the slowest chain's steps
            # for every chain. This is the gradient work actually done (padding included).
            "n_leapfrog_lockstep": int(np.sum(np.max(extra["num_steps"], axis=0)) * chains),
            "divergences": int(np.sum(extra["diverging"])),
        }

    first = one_run(jax.random.PRNGKey(seed))
    second = one_run(jax.random.PRNGKey(seed + 1))
    for label, r in (("first", first), ("second", second)):
        line = {"peer": "numpyro", "model": model_name, "run": label,
                "numpyro": numpyro.__version__, "jax": jax.__version__,
                "compile_s": first["wall_s"] - second["wall_s"] if label == "first" else 0.0,
                "first_run_s": first["wall_s"], "second_run_s": second["wall_s"],
                **r, "chains": chains}
        print(json.dumps({k: round(v, 6) if isinstance(v, float) else v
                          for k, v in line.items()}))


if __name__ == "__main__":
    main()
