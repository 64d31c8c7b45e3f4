// The one project macro that marks math shared by the CUDA and the CPU backend.
//
// Per-group and per-chain math is written once as header-only functions marked HBAYES_HD.
// nvcc compiles them for host and device; g++ (the OpenMP backend) sees plain inline functions.
// Raw __host__ __device__ appears nowhere else in the project.
#pragma once

#if defined(__CUDACC__)
#define HBAYES_HD __host__ __device__
#else
#define HBAYES_HD
#endif
