#!/usr/bin/env Rscript
# Writes the peer fixtures of the covariate (regression) fits, tests/data/regression_*.csv:
#   regression_bcg_metafor.csv   BCG trials (metafor's dat.bcg): log risk ratio yi, its variance vi
#                                and absolute latitude ablat, with metafor's meta-regression
#                                rma(yi, vi, mods = ~ ablat) by REML and by ML;
#   regression_betabinomial_catalog.csv / _vgam.csv
#                                a simulated beta-binomial catalog (logit mu linear in x, shared
#                                dispersion) and VGAM's vglm(cbind(y, n - y) ~ x, betabinomial);
#   regression_gammapoisson_catalog.csv / _mass.csv
#                                a simulated gamma-Poisson catalog (log mean linear in x, offset
#                                log exposure) and MASS's glm.nb(y ~ x + offset(log(e))).
# Expected values are written with 17 significant digits; each peer is run to a tight tolerance so
# that its own convergence error is far below the tests' 1e-6 relative.
# Needs r-cran-metafor, r-cran-vgam, r-cran-mass. Run from the repository root:
#   Rscript tests/data/make_regression_fixtures.R
suppressPackageStartupMessages({ library(metafor); library(VGAM); library(MASS) })
if (!dir.exists("tests/data")) stop("run from the repository root")
options(digits = 17)

write_expected <- function(path, comment, values) {
  lines <- c(paste0("# ", comment), "quantity,value",
             sprintf("%s,%.17g", names(values), unlist(values)))
  writeLines(lines, path)
}

# ---- metafor: BCG meta-regression on absolute latitude ----
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
writeLines(c("# BCG trials (metafor dat.bcg): yi = log risk ratio, vi = its sampling variance",
             "# (escalc measure RR), ablat = absolute latitude. Written by make_regression_fixtures.R"),
           "tests/data/regression_bcg_metafor_data.csv")
suppressWarnings(write.table(data.frame(trial = dat$trial, ablat = dat$ablat, yi = sprintf("%.17g", dat$yi),
                       vi = sprintf("%.17g", dat$vi)),
            "tests/data/regression_bcg_metafor_data.csv", append = TRUE, sep = ",",
            row.names = FALSE, quote = FALSE))
ctrl <- list(threshold = 1e-14, maxiter = 1000)
fits <- list(reml = rma(yi, vi, mods = ~ ablat, data = dat, method = "REML", control = ctrl),
             ml = rma(yi, vi, mods = ~ ablat, data = dat, method = "ML", control = ctrl))
values <- list()
for (m in names(fits)) {
  f <- fits[[m]]
  values[[paste0(m, "_intercept")]] <- coef(f)[[1]]
  values[[paste0(m, "_ablat")]] <- coef(f)[[2]]
  values[[paste0(m, "_intercept_se")]] <- f$se[1]  # sqrt of diag (X' W X)^-1 at tau^2 hat
  values[[paste0(m, "_ablat_se")]] <- f$se[2]
  values[[paste0(m, "_tau2")]] <- f$tau2
  values[[paste0(m, "_loglik")]] <- as.numeric(logLik(f))
}
write_expected("tests/data/regression_bcg_metafor.csv",
               sprintf("metafor %s rma(yi, vi, mods = ~ ablat), REML and ML; threshold 1e-14",
                       packageVersion("metafor")), values)

# ---- VGAM: beta-binomial regression on a simulated catalog ----
set.seed(20261125)
J <- 800
x <- rnorm(J)
mu <- plogis(-2 + 0.6 * x)
theta <- 0.04  # 1 / (alpha + beta): alpha + beta = 25
p <- rbeta(J, mu / theta, (1 - mu) / theta)
n <- 5 + rpois(J, 60)
y <- rbinom(J, n, p)
writeLines(c("# Simulated beta-binomial catalog: x ~ N(0, 1), logit mu = -2 + 0.6 x,",
             "# theta = 1 / (alpha + beta) = 0.04, trials 5 + Poisson(60). make_regression_fixtures.R, seed 20261125"),
           "tests/data/regression_betabinomial_catalog.csv")
suppressWarnings(write.table(data.frame(store = seq_len(J), x = sprintf("%.17g", x), successes = y, trials = n),
            "tests/data/regression_betabinomial_catalog.csv", append = TRUE, sep = ",",
            row.names = FALSE, quote = FALSE))
vf <- vglm(cbind(y, n - y) ~ x, betabinomial, control = vglm.control(epsilon = 1e-12, maxit = 200))
cf <- coef(vf)  # (Intercept):1 = logit mu, (Intercept):2 = logit rho, x = slope of logit mu
rho <- plogis(cf[["(Intercept):2"]])  # VGAM's rho = 1 / (1 + alpha + beta)
write_expected("tests/data/regression_betabinomial_vgam.csv",
               sprintf("VGAM %s vglm(cbind(y, n - y) ~ x, betabinomial) (rho intercept-only); theta = rho / (1 - rho)",
                       packageVersion("VGAM")),
               list(intercept = cf[["(Intercept):1"]], x = cf[["x"]], rho = rho,
                    theta = rho / (1 - rho), loglik = as.numeric(logLik(vf))))

# ---- MASS: negative-binomial (gamma-Poisson) regression on a simulated catalog ----
set.seed(20261126)
J <- 800
x <- rnorm(J)
e <- exp(runif(J, log(0.5), log(50)))
m <- exp(-1 + 0.4 * x)
shape <- 3
lambda <- rgamma(J, shape = shape, rate = shape / m)
y <- rpois(J, e * lambda)
writeLines(c("# Simulated gamma-Poisson catalog: x ~ N(0, 1), log mean = -1 + 0.4 x, shape 3 (phi = 1/3),",
             "# exposure log-uniform in 0.5..50. make_regression_fixtures.R, seed 20261126"),
           "tests/data/regression_gammapoisson_catalog.csv")
suppressWarnings(write.table(data.frame(store = seq_len(J), x = sprintf("%.17g", x), count = y,
                       exposure = sprintf("%.17g", e)),
            "tests/data/regression_gammapoisson_catalog.csv", append = TRUE, sep = ",",
            row.names = FALSE, quote = FALSE))
nb <- glm.nb(y ~ x + offset(log(e)), control = glm.control(epsilon = 1e-15, maxit = 200))
write_expected("tests/data/regression_gammapoisson_mass.csv",
               sprintf("MASS %s glm.nb(y ~ x + offset(log(e))); phi = 1 / theta", packageVersion("MASS")),
               list(intercept = coef(nb)[[1]], x = coef(nb)[[2]], shape = nb$theta,
                    phi = 1 / nb$theta, loglik = as.numeric(logLik(nb))))
