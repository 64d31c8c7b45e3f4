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

// For large functions behind rarely taken branches (the special functions' other regimes): kept
// out of line in device code, where nvcc would otherwise inline them at every call site and
// multiply the kernels' code size and its own compile time and memory (measured: 3x the PTX and
// over 8 GB for ptxas when the incomplete beta regimes were all inlined). Host code leaves the
// choice to the compiler.
#if defined(__CUDACC__)
#define HBAYES_HD_OUTLINE __host__ __device__ __noinline__
#else
#define HBAYES_HD_OUTLINE
#endif

// For the few CPU loops where vector instructions pay (the sampler's loops over groups): g++ on
// x86-64 compiles the function three times, for AVX-512 (x86-64-v4), AVX2 with FMA (x86-64-v3)
// and the baseline, and the loader picks the best the machine has (GCC's target_clones, an
// ifunc), so one binary is both portable and fast. flatten inlines what the loop calls, which
// would otherwise stay baseline code. Empty for nvcc and other compilers.
#if !defined(__CUDACC__) && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HBAYES_CPU_CLONES \
  __attribute__((flatten, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HBAYES_CPU_CLONES
#endif
