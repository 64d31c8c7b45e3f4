// The posterior predictive check as CSV; see predictive_csv.hpp.
#include "sample/predictive_csv.hpp"

#include "io/atomic_output.hpp"
#include "io/number_format.hpp"

namespace hbayes::sample_output {

void write_predictive_csv(const std::string& path, const HierDataset& data,
                          const PredictiveCheck& check) {
  io::AtomicOutputFile out(path);
  std::string text = "quantity,observed,p_value\n";
  char number[io::kMaxNumberChars];
  const auto row = [&](const std::string& quantity, double observed, double p_value) {
    text += quantity;
    text.push_back(',');
    text.append(number, io::write_double(number, observed));
    text.push_back(',');
    text.append(number, io::write_double(number, p_value));
    text.push_back('\n');
    if (text.size() >= (std::size_t{1} << 20)) out.write(text), text.clear();
  };
  for (std::size_t j = 0; j < check.group_p_value.size(); ++j) {
    row("y." + std::to_string(j + 1), data.first[j], check.group_p_value[j]);
  }
  row("variance", check.observed_variance, check.variance_p_value);
  out.write(text);
  out.commit();
}

}  // namespace hbayes::sample_output
