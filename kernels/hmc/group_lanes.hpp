// Sums over groups in independent lanes, the form a CPU compiler vectorizes.
//
// A loop that adds every group's term into one running sum is a chain of dependent additions,
// which a compiler may not reorder (the result would change), so it runs one group at a time.
// Here group i of a loop adds into lane i % kSumLanes, and the lanes are added in lane order at
// the end: the compiler can put one lane per vector element, and the result is the same bits
// whatever vector width it picks (AVX-512, AVX2 or none). On a GPU a thread is already one lane,
// so its build keeps a single lane (the plain serial sum; no extra registers).
#pragma once

#include <cstddef>

#include "device_macros.hpp"

namespace hbayes::kernels::hmc {

#if defined(__CUDACC__)
constexpr int kSumLanes = 1;
#else
constexpr int kSumLanes = 8;  // AVX-512 holds 8 doubles
#endif

// `Fields` running sums of kSumLanes lanes each.
template <int Fields>
struct LaneSums {
  double lane[Fields][kSumLanes] = {};

  // The lanes of one field added in lane order.
  HBAYES_HD double total(int field) const {
    double sum = 0.0;
    for (int l = 0; l < kSumLanes; ++l) sum += lane[field][l];
    return sum;
  }
};

// body(i, l) for i = 0 .. count - 1 with l = i % kSumLanes: whole blocks of kSumLanes first,
// whose inner loop has a constant trip count (what the vectorizer wants), then the remainder.
template <class Body>
HBAYES_HD inline void for_each_in_lanes(std::size_t count, const Body& body) {
  std::size_t i = 0;
  for (; i + kSumLanes <= count; i += kSumLanes) {
    for (int l = 0; l < kSumLanes; ++l) body(i + l, l);
  }
  for (int l = 0; i + l < count; ++l) body(i + l, l);
}

}  // namespace hbayes::kernels::hmc
