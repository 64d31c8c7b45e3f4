// GPU-only: the CUDA build of the kernels against the CPU build. Skipped (and labelled "gpu" in
// CTest so CI lists it as skipped) when no CUDA device is usable.
#include <gtest/gtest.h>

#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"
#include "support/cuda_probe.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

using test::cuda_usable;

TEST(BackendGpu, CudaMatchesCpu) {
  if (!cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  std::vector<std::int64_t> y, n;
  for (std::int64_t t = 0; t < 2000; ++t) n.push_back(t), y.push_back(t / 3);
  ScoreOptions cpu, gpu;
  cpu.backend = Backend::Cpu;
  gpu.backend = Backend::Cuda;
  const BinomialColumns data{y.data(), n.data(), y.size()};
  const PosteriorTable a = score(data, BetaBinomialPrior{2.5, 40}, cpu);
  const PosteriorTable b = score(data, BetaBinomialPrior{2.5, 40}, gpu);
  for (std::size_t i = 0; i < y.size(); ++i) {
    ASSERT_TRUE(test::close(a.lower[i], b.lower[i], test::kInterval)) << i;
    ASSERT_TRUE(test::close(a.upper[i], b.upper[i], test::kInterval)) << i;
    ASSERT_TRUE(test::close(a.post_mean[i], b.post_mean[i], test::kMoment)) << i;
  }
}

}  // namespace
}  // namespace hbayes
