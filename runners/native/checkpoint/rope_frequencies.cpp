#include "runners/native/checkpoint/rope_frequencies.h"

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
  }
  return out;
}

}  // namespace dokpa
