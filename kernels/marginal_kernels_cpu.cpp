// The CPU backend of the empirical Bayes reductions: the g++ build of marginal_kernels.cu on
// Thrust's OpenMP system (as score_kernels_cpu.cpp does for scoring).
#include "marginal_kernels.cu"
