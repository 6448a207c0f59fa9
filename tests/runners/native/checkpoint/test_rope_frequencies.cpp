// RoPE inverse frequencies against transformers' ROPE_INIT_FUNCTIONS (default, linear,
// llama3, yarn), for both config.json forms: rope_theta + rope_scaling and rope_parameters.
#include <cmath>

#include <nlohmann/json.hpp>

#include "runners/native/checkpoint/rope_frequencies.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

namespace dokpa {
namespace {

double relative_error(double got, double want) { return std::abs(got - want) / std::abs(want); }

TEST_CASE("RoPE inverse frequencies equal transformers'", "[checkpoint][rope]") {
  auto ref = test::rope_reference();
  auto expected = nlohmann::json::parse(read_file(ref / "rope_expected.json"));
  REQUIRE(expected.size() == 11);

  int compared = 0;
  for (const auto& [name, want] : expected.items()) {
    auto f64 = want["inv_freq_f64"].get<std::vector<double>>();
    auto f32 = want["inv_freq_f32"].get<std::vector<double>>();
    for (const char* form : {"legacy", "parameters"}) {
      INFO("case " << name << ", " << form << " form");
      ModelConfig config = load_model_config(ref / name / form / "config.json");
      RopeFrequencies got = rope_inverse_frequencies(config);
      CHECK(got.attention_scaling == want["attention_scaling"].get<double>());
      REQUIRE(got.inv_freq.size() == f64.size());
      for (size_t i = 0; i < f64.size(); ++i) {
        INFO("index " << i << ": got " << got.inv_freq[i] << ", float64 reference " << f64[i]);
        // The same transformers code evaluated in float64.
        CHECK(relative_error(got.inv_freq[i], f64[i]) <= 1e-12);
        // What transformers' model holds (float32, pow not correctly rounded): a few ulps.
        CHECK(relative_error(got.inv_freq[i], f32[i]) <= 1e-6);
        ++compared;
      }
    }
  }
  CHECK(compared > 500);
}

TEST_CASE("both RoPE config forms parse to the same settings", "[checkpoint][rope]") {
  auto ref = test::rope_reference();
  ModelConfig legacy = load_model_config(ref / "llama3_1" / "legacy" / "config.json");
  ModelConfig params = load_model_config(ref / "llama3_1" / "parameters" / "config.json");
  for (const ModelConfig* c : {&legacy, &params}) {
    CHECK(c->rope.type == RopeType::kLlama3);
    CHECK(c->rope.theta == 500000.0);
    CHECK(c->rope.factor == 8.0);
    CHECK(c->rope.low_freq_factor == 1.0);
    CHECK(c->rope.high_freq_factor == 4.0);
    CHECK(c->rope.original_max_position_embeddings == 8192);
  }
  ModelConfig old_key = load_model_config(ref / "linear_old_type_key" / "legacy" / "config.json");
  CHECK(old_key.rope.type == RopeType::kLinear);
  CHECK(old_key.rope.factor == 2.5);
}

}  // namespace
}  // namespace dokpa
