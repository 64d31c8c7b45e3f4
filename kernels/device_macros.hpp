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
// ifunc), so one binary is both portable and fast. flatten inlines everything the loop calls
// (the vectorizer sees only what is inlined; inlined code takes the clone's instruction set);
// elsewhere (other compilers and architectures) flatten with noinline keeps the function whole
// for the same reason. Empty for nvcc.
#if defined(__CUDACC__)
#define HBAYES_CPU_CLONES
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HBAYES_CPU_CLONES_X86 1
#define HBAYES_CPU_CLONES \
  __attribute__((flatten, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#elif defined(__GNUC__)
#define HBAYES_CPU_CLONES __attribute__((flatten, noinline))
#else
#define HBAYES_CPU_CLONES
#endif

// a * b + c in the branch-free special functions (special/*_branch_free.hpp): fused, as fma(),
// where the build's hot paths have an FMA instruction: the GPU, AArch64, x86 compiled with FMA,
// and the g++ x86-64 build whose HBAYES_CPU_CLONES functions run as AVX2 or AVX-512 code on any
// CPU from the last decade (its baseline clone, for older CPUs, pays a libm call per fma; its
// result is the same bits). Elsewhere a product and a sum: a libm call per operation would cost
// more than the rest of the function. Either way a build gives the same bits in every code path.
#if defined(__CUDACC__) || defined(__FMA__) || defined(__aarch64__) || \
    defined(HBAYES_CPU_CLONES_X86)
#define HBAYES_FMA(a, b, c) fma(a, b, c)
#else
#define HBAYES_FMA(a, b, c) ((a) * (b) + (c))
#endif
