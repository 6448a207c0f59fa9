// config.json text as the input. An accepted config must describe a decoder the runner can size:
// per-layer flags for every layer.
#include "runners/native/checkpoint/model_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dokpa::fuzz::expect_clean([&] {
    auto config = dokpa::parse_model_config(dokpa::fuzz::as_text(data, size), "config.json");
    auto layers = static_cast<size_t>(config.num_hidden_layers);
    if (config.rope_layers.size() != layers || config.sliding_layers.size() != layers)
      dokpa::fuzz::fail("per-layer flags do not cover num_hidden_layers");
    (void)dokpa::family_name(config.family);
  });
  return 0;
}
