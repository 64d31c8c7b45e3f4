// The histogram building block: sum_{k=lo}^{hi-1} log(p + k theta) with its derivatives, in every
// regime of log_rising (closed form at theta = 0, term by term, gamma-function differences with
// and without a directly summed head), against long-double term-by-term sums.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "marginal/log_rising.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

struct LongSums {
  long double value = 0, da = 0, db = 0, daa = 0, dab = 0, dbb = 0;
};

LongSums direct(long double p, long double theta, std::int64_t lo, std::int64_t hi) {
  LongSums s;
  for (std::int64_t k = lo; k < hi; ++k) {
    const long double kk = static_cast<long double>(k);
    const long double t = p + kk * theta;
    s.value += std::log(t);
    s.da += 1 / t;
    s.db += kk / t;
    s.daa -= 1 / (t * t);
    s.dab -= kk / (t * t);
    s.dbb -= kk * kk / (t * t);
  }
  return s;
}

// value_scale: the size of the terms log(p + k theta) summed, which bounds the absolute rounding
// of the value (each log(p + k theta) near 0 is only absolutely accurate).
void expect_matches(const kernels::Derivs2& got, const LongSums& want, double value_scale,
                    const char* what) {
  EXPECT_TRUE(test::close(got.value, static_cast<double>(want.value),
                          {test::kRisingSum.rtol, 4e-16 * value_scale}))
      << what << " value " << got.value << " vs " << static_cast<double>(want.value);
  EXPECT_TRUE(test::close(got.da, static_cast<double>(want.da), test::kRisingSum))
      << what << " da " << got.da << " vs " << static_cast<double>(want.da);
  EXPECT_TRUE(test::close(got.db, static_cast<double>(want.db), test::kRisingSum))
      << what << " db " << got.db << " vs " << static_cast<double>(want.db);
  EXPECT_TRUE(test::close(got.daa, static_cast<double>(want.daa), test::kRisingSum))
      << what << " daa " << got.daa << " vs " << static_cast<double>(want.daa);
  EXPECT_TRUE(test::close(got.dab, static_cast<double>(want.dab), test::kRisingSum))
      << what << " dab " << got.dab << " vs " << static_cast<double>(want.dab);
  EXPECT_TRUE(test::close(got.dbb, static_cast<double>(want.dbb), test::kRisingSum))
      << what << " dbb " << got.dbb << " vs " << static_cast<double>(want.dbb);
}

TEST(LogRising, AllRegimesAgainstLongDoubleSums) {
  const double ps[] = {1.0, 0.3, 0.999, 1e-3, 0.02};
  const double thetas[] = {0.0, 1e-13, 1e-9, 1e-6, 1e-3, 0.05, 1.0, 40.0};
  const std::int64_t ranges[][2] = {{0, 1},      {0, 5},       {0, 32},     {0, 33},
                                    {0, 40},     {3, 90},      {0, 1000},   {7, 100},
                                    {100, 5000}, {4096, 4200}, {0, 200000}, {150000, 150040}};
  for (double p : ps) {
    for (double theta : thetas) {
      for (const auto& r : ranges) {
        char what[128];
        std::snprintf(what, sizeof what, "p=%g theta=%g [%lld, %lld)", p, theta,
                      static_cast<long long>(r[0]), static_cast<long long>(r[1]));
        expect_matches(
            kernels::log_rising(p, theta, static_cast<double>(r[0]), static_cast<double>(r[1])),
            direct(p, theta, r[0], r[1]),
            static_cast<double>(r[1] - r[0]) * (1.0 + std::fabs(std::log(p))), what);
      }
    }
  }
}

TEST(LogRising, EmptyRangeIsZero) {
  const kernels::Derivs2 d = kernels::log_rising(0.5, 0.1, 7.0, 7.0);
  EXPECT_EQ(d.value, 0.0);
  EXPECT_EQ(d.dbb, 0.0);
}

TEST(LogRising, HistogramEqualsSumOverStores) {
  // Counts with repeats, a zero, and large values (long segments between distinct values).
  const std::vector<std::int64_t> counts = {0, 3, 3, 7, 7, 7, 40, 41, 1000, 1000, 25000};
  std::vector<std::int64_t> values, multiplicities;
  for (std::int64_t c : counts) {
    if (values.empty() || values.back() != c) {
      values.push_back(c);
      multiplicities.push_back(0);
    }
    ++multiplicities.back();
  }
  for (double theta : {0.0, 1e-4, 0.2}) {
    LongSums want;
    for (std::int64_t c : counts) {
      const LongSums s = direct(0.7, theta, 0, c);
      want.value += s.value;
      want.da += s.da;
      want.db += s.db;
      want.daa += s.daa;
      want.dab += s.dab;
      want.dbb += s.dbb;
    }
    expect_matches(kernels::log_rising_histogram(values.data(), multiplicities.data(),
                                                 values.size(), 0.7, theta),
                   want, 50000.0, "histogram");
  }
}

}  // namespace
}  // namespace hbayes
