#pragma once
// RoPE inverse frequencies, as transformers' ROPE_INIT_FUNCTIONS compute them at model init
// (modeling_rope_utils.py: default, linear, llama3, yarn), but evaluated in double precision.
//
// Why double: transformers computes in float32 and its `base ** x` goes through torch's
// vectorised pow (SLEEF on AVX2/AVX-512, libm otherwise), which is not correctly rounded, so
// its float32 values differ by one ulp from machine to machine. These doubles equal that same
// code run in float64 (to ~1e-15); rounding them to float32 gives the correctly rounded value,
// within one float32 ulp of any machine's transformers result.
#include <vector>

#include "runners/native/checkpoint/model_config.h"

namespace dokpa {

struct RopeFrequencies {
  std::vector<double> inv_freq;    // (rotary_dim / 2,), rotary_dim = int(head_dim * partial_rotary_factor)
  double attention_scaling = 1.0;  // multiplies cos and sin; 1 for default, linear and llama3
};

RopeFrequencies rope_inverse_frequencies(const ModelConfig& config);

}  // namespace dokpa
