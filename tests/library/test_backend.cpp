// Backend resolution: auto falls back to the CPU with a notice when no GPU is usable, an explicit
// cuda request without one is a clear BackendUnavailable.
#include <gtest/gtest.h>

#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"
#include "support/cuda_probe.hpp"

namespace hbayes {
namespace {

using test::cuda_usable;

TEST(Backend, CpuIsAlwaysAvailable) {
  const BackendChoice choice = resolve_backend(Backend::Cpu);
  EXPECT_EQ(choice.backend, Backend::Cpu);
  EXPECT_EQ(choice.notice, "");
}

TEST(Backend, AutoPicksCudaOnlyWhenUsableAndOtherwiseSaysWhy) {
  const BackendChoice choice = resolve_backend(Backend::Auto);
  if (cuda_usable()) {
    EXPECT_EQ(choice.backend, Backend::Cuda);
    EXPECT_EQ(choice.notice, "");
  } else {
    EXPECT_EQ(choice.backend, Backend::Cpu);
    EXPECT_NE(choice.notice.find("running on the CPU backend"), std::string::npos) << choice.notice;
    EXPECT_EQ(choice.notice.find('\n'), std::string::npos) << "notice must be one line";
  }
}

TEST(Backend, ExplicitCudaWithoutDeviceIsAClearError) {
  if (cuda_usable()) GTEST_SKIP() << "a CUDA device is present: nothing to refuse";
  try {
    resolve_backend(Backend::Cuda);
    FAIL() << "expected BackendUnavailable";
  } catch (const BackendUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("--backend cuda"), std::string::npos) << e.what();
  }
  const std::int64_t y[] = {1}, n[] = {2};
  ScoreOptions options;
  options.backend = Backend::Cuda;
  EXPECT_THROW(score(BinomialColumns{y, n, 1}, BetaBinomialPrior{1, 1}, options),
               BackendUnavailable);
}

TEST(Backend, ParseBackendNamesTheOption) {
  EXPECT_EQ(parse_backend("auto"), Backend::Auto);
  EXPECT_EQ(parse_backend("cpu"), Backend::Cpu);
  EXPECT_EQ(parse_backend("cuda"), Backend::Cuda);
  try {
    parse_backend("gpu");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--backend");
  }
}

}  // namespace
}  // namespace hbayes
