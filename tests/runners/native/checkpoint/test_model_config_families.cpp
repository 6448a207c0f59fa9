// ModelConfig for the families beyond llama: qwen3, exaone4, qwen2 sliding windows, qwen3_moe,
// mixtral, yarn RoPE, and the errors for settings the decoder would get wrong.
#include "runners/native/checkpoint/model_config.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

namespace dokpa {
namespace {

const std::string kSource = "ckpt/config.json";

// A minimal config of `model_type` / `architecture`, with `extra` keys appended.
std::string config_of(const std::string& model_type, const std::string& architecture, const std::string& extra = "") {
  return R"({"architectures":[")" + architecture + R"("],"model_type":")" + model_type +
         R"(","vocab_size":1000,"hidden_size":64,"intermediate_size":128,"num_hidden_layers":4,)"
         R"("num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-06,"max_position_embeddings":2048)" +
         (extra.empty() ? "" : "," + extra) + "}";
}

ModelConfig parse(const std::string& text) { return parse_model_config(text, kSource); }

void require_refused(const std::string& text, std::initializer_list<std::string> parts) {
  test::require_error([&] { parse(text); }, kSource, parts);
}

TEST_CASE("qwen3: q/k norms, head_dim defaults to 128, attention_bias covers o_proj", "[checkpoint][config]") {
  ModelConfig c = parse(config_of("qwen3", "Qwen3ForCausalLM"));
  CHECK(c.family == ModelFamily::kQwen3);
  CHECK(c.head_dim == 128);  // Qwen3Config's default, not hidden_size / heads
  CHECK(c.qk_norm);
  CHECK_FALSE(c.qkv_bias);
  CHECK_FALSE(c.post_block_norms);
  CHECK(c.sliding_layers == std::vector<bool>(4, false));
  CHECK(c.rope_layers == std::vector<bool>(4, true));

  c = parse(config_of("qwen3", "Qwen3ForCausalLM", R"("head_dim":32,"attention_bias":true)"));
  CHECK(c.head_dim == 32);
  CHECK(c.qkv_bias);
  CHECK(c.o_proj_bias);
}

TEST_CASE("qwen2 and qwen3 sliding windows: max_window_layers or layer_types", "[checkpoint][config]") {
  ModelConfig c = parse(
      config_of("qwen2", "Qwen2ForCausalLM", R"("use_sliding_window":true,"sliding_window":16,"max_window_layers":2)"));
  CHECK(c.sliding_window == 16);
  CHECK(c.sliding_layers == std::vector<bool>{false, false, true, true});

  c = parse(config_of("qwen3", "Qwen3ForCausalLM",
                      R"("use_sliding_window":true,"sliding_window":8,)"
                      R"("layer_types":["sliding_attention","full_attention","sliding_attention","full_attention"])"));
  CHECK(c.sliding_layers == std::vector<bool>{true, false, true, false});

  // use_sliding_window false: the window is off whatever sliding_window says
  c = parse(config_of("qwen2", "Qwen2ForCausalLM", R"("use_sliding_window":false,"sliding_window":16)"));
  CHECK_FALSE(c.sliding_window);
  CHECK(c.sliding_layers == std::vector<bool>(4, false));

  require_refused(
      config_of("qwen2", "Qwen2ForCausalLM",
                R"("layer_types":["sliding_attention","full_attention","full_attention","full_attention"])"),
      {"use_sliding_window is false"});
  require_refused(config_of("qwen3", "Qwen3ForCausalLM", R"("layer_types":["full_attention"])"),
                  {"'layer_types' must be a list with one entry per layer"});
  require_refused(
      config_of("qwen3", "Qwen3ForCausalLM",
                R"("layer_types":["chunked_attention","full_attention","full_attention","full_attention"])"),
      {"unsupported layer type \"chunked_attention\""});
}

TEST_CASE("exaone4: post-block norms, hybrid layers, RoPE only in sliding layers", "[checkpoint][config]") {
  // Without layer_types: every sliding_window_pattern-th layer is global (full attention, no RoPE).
  ModelConfig c = parse(config_of("exaone4", "Exaone4ForCausalLM", R"("sliding_window":8,"sliding_window_pattern":2)"));
  CHECK(c.family == ModelFamily::kExaone4);
  CHECK(c.qk_norm);
  CHECK(c.post_block_norms);
  CHECK(c.sliding_window == 8);
  CHECK(c.sliding_layers == std::vector<bool>{true, false, true, false});
  CHECK(c.rope_layers == std::vector<bool>{true, false, true, false});

  // Exaone4Config's defaults: window 4096, pattern 4
  c = parse(config_of("exaone4", "Exaone4ForCausalLM"));
  CHECK(c.sliding_window == 4096);
  CHECK(c.sliding_layers == std::vector<bool>{true, true, true, false});

  // layer_types wins over the pattern
  c = parse(config_of("exaone4", "Exaone4ForCausalLM",
                      R"("sliding_window":8,"sliding_window_pattern":"LLLG",)"
                      R"("layer_types":["full_attention","sliding_attention","sliding_attention","full_attention"])"));
  CHECK(c.sliding_layers == std::vector<bool>{false, true, true, false});
  CHECK(c.rope_layers == std::vector<bool>{false, true, true, false});

  // No window at all: every layer is global and every layer uses RoPE
  c = parse(config_of(
      "exaone4", "Exaone4ForCausalLM",
      R"("sliding_window":null,"layer_types":["full_attention","full_attention","full_attention","full_attention"])"));
  CHECK_FALSE(c.sliding_window);
  CHECK(c.rope_layers == std::vector<bool>(4, true));

  require_refused(
      config_of("exaone4", "Exaone4ForCausalLM",
                R"("sliding_window":null,)"
                R"("layer_types":["sliding_attention","full_attention","full_attention","full_attention"])"),
      {"sliding_window is null"});
  require_refused(config_of("exaone4", "Exaone4ForCausalLM", R"("sliding_window_pattern":"LLLG")"),
                  {"'sliding_window_pattern' must be an integer"});
}

TEST_CASE("mistral and mixtral: one window for every layer, or none", "[checkpoint][config]") {
  ModelConfig m = parse(config_of("mistral", "MistralForCausalLM", R"("sliding_window":8)"));
  CHECK(m.sliding_layers == std::vector<bool>(4, true));
  m = parse(config_of("mistral", "MistralForCausalLM", R"("sliding_window":null)"));
  CHECK_FALSE(m.sliding_window);
  CHECK(m.sliding_layers == std::vector<bool>(4, false));

  ModelConfig x = parse(config_of("mixtral", "MixtralForCausalLM", R"("num_local_experts":4,"num_experts_per_tok":2)"));
  CHECK(x.family == ModelFamily::kMixtral);
  CHECK(x.rope.theta == 1e6);  // MixtralConfig's default
  CHECK_FALSE(x.sliding_window);
  REQUIRE(x.moe);
  CHECK(x.moe->num_experts == 4);
  CHECK(x.moe->experts_per_token == 2);
  CHECK(x.moe->renormalize);
  CHECK(x.moe->intermediate_size == 128);
  CHECK(x.moe_layers == std::vector<bool>(4, true));
  require_refused(config_of("mixtral", "MixtralForCausalLM", R"("num_local_experts":2,"num_experts_per_tok":3)"),
                  {"num_experts_per_tok (3) exceeds num_local_experts (2)"});
}

TEST_CASE("qwen3_moe: sparse layers by decoder_sparse_step and mlp_only_layers", "[checkpoint][config]") {
  ModelConfig c =
      parse(config_of("qwen3_moe", "Qwen3MoeForCausalLM",
                      R"("num_experts":8,"num_experts_per_tok":2,"norm_topk_prob":true,)"
                      R"("moe_intermediate_size":32,"decoder_sparse_step":2,"mlp_only_layers":[3],"head_dim":16)"));
  CHECK(c.family == ModelFamily::kQwen3Moe);
  CHECK(c.qk_norm);
  REQUIRE(c.moe);
  CHECK(c.moe->num_experts == 8);
  CHECK(c.moe->experts_per_token == 2);
  CHECK(c.moe->renormalize);
  CHECK(c.moe->intermediate_size == 32);
  CHECK(c.moe_layers == std::vector<bool>{false, true, false, false});  // (i + 1) % 2 == 0, minus layer 3

  c = parse(config_of("qwen3_moe", "Qwen3MoeForCausalLM", R"("num_experts":0)"));
  CHECK_FALSE(c.moe);
  CHECK(c.moe_layers == std::vector<bool>(4, false));
  CHECK(c.head_dim == 16);  // Qwen3MoeConfig has no head_dim default: hidden_size / heads

  require_refused(config_of("qwen3_moe", "Qwen3MoeForCausalLM", R"("decoder_sparse_step":0)"),
                  {"'decoder_sparse_step' must be positive"});
}

TEST_CASE("yarn RoPE settings", "[checkpoint][config][rope]") {
  ModelConfig c = parse(config_of("qwen3", "Qwen3ForCausalLM",
                                  R"("rope_scaling":{"rope_type":"yarn","factor":4.0,)"
                                  R"("original_max_position_embeddings":512,"beta_fast":null,"truncate":false})"));
  CHECK(c.rope.type == RopeType::kYarn);
  CHECK(c.rope.factor == 4.0);
  CHECK(c.rope.original_max_position_embeddings == 512);
  CHECK(c.rope.beta_fast == 32.0);  // transformers: get("beta_fast") or 32
  CHECK(c.rope.beta_slow == 1.0);
  CHECK_FALSE(c.rope.attention_factor);
  CHECK_FALSE(c.rope.truncate);
  require_refused(config_of("qwen3", "Qwen3ForCausalLM", R"("rope_scaling":{"rope_type":"yarn"})"),
                  {"missing required key 'rope_scaling.factor'"});
}

TEST_CASE("an unsupported model_type names config.json, itself and the supported ones", "[checkpoint][config]") {
  require_refused(R"({"architectures":["Gemma2ForCausalLM"],"model_type":"gemma2"})",
                  {"unsupported architecture 'Gemma2ForCausalLM'", "model_type 'gemma2'", "llama (LlamaForCausalLM)",
                   "qwen3_moe (Qwen3MoeForCausalLM)", "exaone4 (Exaone4ForCausalLM)", "mixtral (MixtralForCausalLM)"});
  require_refused(R"({"architectures":["Exaone4ForCausalLM"],"model_type":"gemma3"})",
                  {"model_type 'gemma3'", "exaone4 (Exaone4ForCausalLM)"});
  require_refused(R"({"model_type":"exaone"})", {"model_type 'exaone'", "mistral (MistralForCausalLM)"});
  require_refused(config_of("qwen3", "Qwen3ForCausalLM", R"("hidden_act":"gelu_pytorch_tanh")"),
                  {"unsupported hidden_act 'gelu_pytorch_tanh'"});

  std::vector<std::string> supported = supported_model_types();
  CHECK(supported.size() == 7);
  CHECK(supported.front() == "llama (LlamaForCausalLM)");
}

}  // namespace
}  // namespace dokpa
