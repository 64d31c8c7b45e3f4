// The CPU backend: the g++ build of score_kernels.cu on Thrust's OpenMP system
// (Thrust's own tests wrap .cu sources in .cpp files the same way).
#include "score_kernels.cu"
