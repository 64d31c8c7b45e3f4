// Counter-based random numbers: Philox-4x64-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel
// random numbers: as easy as 1, 2, 3"). A draw is a pure function of (key, counter), so a
// chain's stream depends only on (seed, chain, iteration, purpose), never on the backend, the
// thread that runs it or how many chains run beside it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "device_macros.hpp"
#include "special/log_branch_free.hpp"
#include "special/sin_cos_turns.hpp"

namespace hbayes::kernels::hmc {

struct PhiloxBlock {
  std::uint64_t v[4];
};

// High and low 64-bit halves of a * b.
HBAYES_HD inline void multiply_64x64(std::uint64_t a, std::uint64_t b, std::uint64_t* high,
                                     std::uint64_t* low) {
#if defined(__CUDA_ARCH__)
  *high = __umul64hi(a, b);
  *low = a * b;
#else
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  *high = static_cast<std::uint64_t>(product >> 64);
  *low = static_cast<std::uint64_t>(product);
#endif
}

// The Philox-4x64 bijection with 10 rounds: four 64-bit words of counter, two of key.
HBAYES_HD inline PhiloxBlock philox4x64(PhiloxBlock counter, std::uint64_t key0,
                                        std::uint64_t key1) {
  constexpr std::uint64_t kMultiplier0 = 0xD2E7470EE14C6C93ULL;
  constexpr std::uint64_t kMultiplier1 = 0xCA5A826395121157ULL;
  constexpr std::uint64_t kWeyl0 = 0x9E3779B97F4A7C15ULL;  // golden ratio
  constexpr std::uint64_t kWeyl1 = 0xBB67AE8584CAA73BULL;  // sqrt(3) - 1
  std::uint64_t* x = counter.v;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key0 += kWeyl0;
      key1 += kWeyl1;
    }
    std::uint64_t high0, low0, high1, low1;
    multiply_64x64(kMultiplier0, x[0], &high0, &low0);
    multiply_64x64(kMultiplier1, x[2], &high1, &low1);
    const std::uint64_t next[4] = {high1 ^ x[1] ^ key0, low1, high0 ^ x[3] ^ key1, low0};
    x[0] = next[0];
    x[1] = next[1];
    x[2] = next[2];
    x[3] = next[3];
  }
  return counter;
}

// What a block of random numbers is for; part of the counter so that streams never overlap.
enum class RandomPurpose : std::uint64_t {
  Momentum = 1,
  Accept = 2,
  Initial = 3,
  Predictive = 4,
  Restart = 5  // which chain a stranded chain restarts from (warmup)
};

// The stream of one chain at one iteration for one purpose; block(i) gives 4 fresh 64-bit words.
struct ChainStream {
  std::uint64_t seed;
  std::uint64_t chain;
  std::uint64_t iteration;
  RandomPurpose purpose;

  HBAYES_HD PhiloxBlock block(std::uint64_t index) const {
    const PhiloxBlock counter{{chain, iteration, static_cast<std::uint64_t>(purpose), index}};
    return philox4x64(counter, seed, 0x68626179657321ULL /* "hbayes!" */);
  }
};

// A uniform double in (0, 1) from the top 53 bits: never 0 or 1, so log(u) is finite.
HBAYES_HD inline double open_uniform(std::uint64_t word) {
  return (static_cast<double>(word >> 11) + 0.5) * 0x1.0p-53;
}

// Two independent standard normals from two uniforms in (0, 1) (Box-Muller). The logarithm, sine
// and cosine are the branch-free ones of special/, so that a loop over pairs vectorizes, and a
// pair is the same bits whichever path computes it (one coordinate at a time or in bulk).
HBAYES_HD inline void box_muller(double u0, double u1, double* z0, double* z1) {
  const double radius = std::sqrt(-2.0 * special::log_branch_free(u0));
  double sine, cosine;
  special::sin_cos_turns(u1, &sine, &cosine);
  *z0 = radius * cosine;
  *z1 = radius * sine;
}

// Two standard normals from two Philox words.
HBAYES_HD inline void standard_normal_pair(std::uint64_t word0, std::uint64_t word1, double* z0,
                                           double* z1) {
  box_muller(open_uniform(word0), open_uniform(word1), z0, z1);
}

// A uniform double in (0, 1) from 32 random bits: never 0 or 1; the smallest, 2^-33, keeps a
// Box-Muller radius below 6.8, and the momenta need no finer tail than that.
HBAYES_HD inline double open_uniform32(std::uint64_t bits) {
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-32;
}

// Uniform m (0 .. 7) of a Philox block for the momenta: the high then the low 32 bits of word
// m / 2.
HBAYES_HD inline double momentum_uniform(const PhiloxBlock& block, std::size_t m) {
  const std::uint64_t word = block.v[m / 2];
  return open_uniform32(m % 2 == 0 ? word >> 32 : word & 0xFFFFFFFFULL);
}

// Standard normal k of a stream, eight per Philox block (four Box-Muller pairs of 32-bit
// uniforms; with 64-bit uniforms, four per block, the Philox rounds were ~12% of a 64-chain
// warmup): the momenta of both transition kernels, so that they draw the same numbers. The last
// block and the last pair are kept, so a contiguous run of coordinates costs one block per eight
// and one pair per two, and a strided one (a GPU slice's interleaved groups) one block and one
// pair per coordinate.
struct MomentumNormals {
  ChainStream stream;
  std::size_t block_index = ~std::size_t{0};
  std::size_t pair_index = ~std::size_t{0};
  PhiloxBlock block = {{0, 0, 0, 0}};
  double z[2] = {0.0, 0.0};

  HBAYES_HD double operator()(std::size_t k) {
    if (k / 8 != block_index) {
      block_index = k / 8;
      block = stream.block(block_index);
      pair_index = ~std::size_t{0};
    }
    const std::size_t pair = k % 8 / 2;
    if (pair != pair_index) {
      pair_index = pair;
      box_muller(momentum_uniform(block, 2 * pair), momentum_uniform(block, 2 * pair + 1), &z[0],
                 &z[1]);
    }
    return z[k % 2];
  }
};

// Normals 0 .. count - 1 of a stream into out[0 .. count), equal to MomentumNormals' one at a
// time, in two passes: the uniforms of every whole pair from the Philox blocks (scalar: 64-bit
// products), then the Box-Muller transform of the pairs, which vectorizes; an odd last normal
// comes from MomentumNormals.
template <class Vector>
HBAYES_HD inline void fill_standard_normals(const ChainStream& stream, std::size_t count,
                                            Vector out) {
  const std::size_t paired = count - count % 2;
  for (std::size_t b = 0; 8 * b < paired; ++b) {
    const PhiloxBlock block = stream.block(b);
    for (std::size_t m = 0; m < 8 && 8 * b + m < paired; ++m) {
      out[8 * b + m] = momentum_uniform(block, m);
    }
  }
  for (std::size_t k = 0; k < paired; k += 2) {
    const double u0 = out[k], u1 = out[k + 1];
    double z0, z1;
    box_muller(u0, u1, &z0, &z1);
    out[k] = z0;
    out[k + 1] = z1;
  }
  if (paired < count) out[paired] = MomentumNormals{stream}(paired);
}

}  // namespace hbayes::kernels::hmc
