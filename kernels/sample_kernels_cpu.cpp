// The CPU backend of the HMC ensemble: the g++ build of sample_kernels.cu.
#include "sample_kernels.cu"
