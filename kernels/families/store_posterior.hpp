// One store's scored posterior: the row every conjugate family's kernel produces.
#pragma once

namespace hbayes::kernels {

// Field meanings match hbayes::PosteriorColumns (include/hbayes/score.hpp).
struct StorePosterior {
  double raw;
  double post_mean;
  double post_sd;
  double lower;
  double upper;
  double data_weight;
  double post_param1;
  double post_param2;
  double pred_mean;
  double pred_lower;
  double pred_upper;
};

}  // namespace hbayes::kernels
