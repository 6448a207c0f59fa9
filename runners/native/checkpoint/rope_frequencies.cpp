#include "runners/native/checkpoint/rope_frequencies.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace dokpa {
namespace {

// _compute_default_rope_parameters: 1 / base ** (arange(0, dim, 2) / dim).
std::vector<double> default_inv_freq(const ModelConfig& config) {
  const auto dim = static_cast<int64_t>(static_cast<double>(config.head_dim) * config.rope.partial_rotary_factor);
  std::vector<double> inv_freq;
  for (int64_t i = 0; i < dim; i += 2)
    inv_freq.push_back(1.0 / std::pow(config.rope.theta, static_cast<double>(i) / static_cast<double>(dim)));
  return inv_freq;
}

// _compute_llama3_parameters, step for step (same operation order, so the same roundings).
void apply_llama3(const RopeConfig& rope, std::vector<double>& inv_freq) {
  const double factor = rope.factor;
  const double low_freq_factor = rope.low_freq_factor;
  const double high_freq_factor = rope.high_freq_factor;
  const auto old_context_len = static_cast<double>(rope.original_max_position_embeddings);
  const double low_freq_wavelen = old_context_len / low_freq_factor;
  const double high_freq_wavelen = old_context_len / high_freq_factor;
  for (double& f : inv_freq) {
    const double wavelen = 2 * std::numbers::pi / f;
    // wavelen > low_freq_wavelen: divide by factor; wavelen < high_freq_wavelen: keep.
    const double inv_freq_llama = wavelen > low_freq_wavelen ? f / factor : f;
    // In between: interpolate with a smooth factor.
    const double smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
    const double smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama;
    const bool is_medium_freq = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
    f = is_medium_freq ? smoothed : inv_freq_llama;
  }
}

// _compute_yarn_parameters: a blend, per frequency, of the unscaled ("extrapolation") and the
// 1/factor-scaled ("interpolation") frequency, ramping linearly between two correction dims; and
// the attention factor that multiplies cos and sin.
void apply_yarn(const ModelConfig& config, RopeFrequencies& out) {
  const RopeConfig& rope = config.rope;
  const double base = rope.theta;
  const double factor = rope.factor;
  const auto dim = static_cast<int64_t>(static_cast<double>(config.head_dim) * rope.partial_rotary_factor);
  const int64_t original_context = rope.original_max_position_embeddings > 0 ? rope.original_max_position_embeddings
                                                                             : config.max_position_embeddings;
  const auto original_max = static_cast<double>(original_context);

  auto get_mscale = [](double scale, double mscale) { return scale <= 1 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0; };
  if (rope.attention_factor)
    out.attention_scaling = *rope.attention_factor;
  else if (rope.mscale != 0 && rope.mscale_all_dim != 0)
    out.attention_scaling = get_mscale(factor, rope.mscale) / get_mscale(factor, rope.mscale_all_dim);
  else
    out.attention_scaling = get_mscale(factor, 1.0);

  // The dimension at which a frequency makes `rotations` turns over the original context.
  auto correction_dim = [&](double rotations) {
    const double d = static_cast<double>(dim);
    return (d * std::log(original_max / (rotations * 2 * std::numbers::pi))) / (2 * std::log(base));
  };
  double low = correction_dim(rope.beta_fast);
  double high = correction_dim(rope.beta_slow);
  if (rope.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim - 1));
  if (low == high) high += 0.001;  // transformers: prevent singularity

  for (size_t i = 0; i < out.inv_freq.size(); ++i) {
    const double pos_freq = std::pow(base, static_cast<double>(2 * i) / static_cast<double>(dim));
    const double extrapolation = 1.0 / pos_freq;
    const double interpolation = 1.0 / (factor * pos_freq);
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolation_factor = 1 - ramp;
    out.inv_freq[i] = interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor;
  }
}

}  // namespace

RopeFrequencies rope_inverse_frequencies(const ModelConfig& config) {
  RopeFrequencies out;
  out.inv_freq = default_inv_freq(config);
  switch (config.rope.type) {
    case RopeType::kDefault:
      break;
    case RopeType::kLinear:  // scaling positions by 1/factor == scaling frequencies by 1/factor
      for (double& f : out.inv_freq) f /= config.rope.factor;
      break;
    case RopeType::kLlama3:
      apply_llama3(config.rope, out.inv_freq);
      break;
    case RopeType::kYarn:
      apply_yarn(config, out);
      break;
  }
  return out;
}

}  // namespace dokpa
