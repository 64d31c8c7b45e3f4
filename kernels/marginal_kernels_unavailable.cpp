// The CUDA backend of the empirical Bayes reductions in a build made without the CUDA toolkit:
// every entry point refuses (resolve_backend never routes work here).
#include "hbayes/errors.hpp"
#include "marginal_kernels.hpp"

namespace hbayes::kernels::cuda {
namespace {
[[noreturn]] void refuse() {
  throw BackendUnavailable("this hbayes was built without CUDA");
}
}  // namespace

BinomialSummary summarize_binomial(const BinomialColumns&, std::int64_t*) {
  refuse();
}
std::unique_ptr<ExposureReducer> make_exposure_reducer(const PoissonColumns&) {
  refuse();
}
std::unique_ptr<NormalReducer> make_normal_reducer(const NormalColumns&) {
  refuse();
}
std::unique_ptr<RegressionReducer> make_regression_reducer(const BinomialColumns&,
                                                           const DesignView&) {
  refuse();
}
std::unique_ptr<RegressionReducer> make_regression_reducer(const PoissonColumns&,
                                                           const DesignView&) {
  refuse();
}
std::unique_ptr<RegressionReducer> make_regression_reducer(const NormalColumns&,
                                                           const DesignView&) {
  refuse();
}
std::unique_ptr<RemlReducer> make_reml_reducer(const NormalColumns&, const DesignView&) {
  refuse();
}

}  // namespace hbayes::kernels::cuda
