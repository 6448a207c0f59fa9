// ModelConfig: config.json as transformers writes it, family-specific flags, and strict errors.
#include "runners/native/checkpoint/model_config.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

namespace dokpa {
namespace {

using test::require_error;

const std::string kSource = "ckpt/config.json";

// A minimal valid llama config, with `extra` (keys it does not already have) appended.
std::string llama_config(const std::string& extra = "") {
  return R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":1000,"hidden_size":64,)"
         R"("intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"rms_norm_eps":1e-05,)"
         R"("max_position_embeddings":2048)" +
         (extra.empty() ? "" : "," + extra) + "}";
}

ModelConfig parse(const std::string& text) { return parse_model_config(text, kSource); }

TEST_CASE("config.json written by transformers save_pretrained", "[checkpoint][config]") {
  auto path = test::safetensors_reference() / "sharded" / "config.json";
  ModelConfig c = load_model_config(path);
  CHECK(c.architecture == "LlamaForCausalLM");
  CHECK(c.model_type == "llama");
  CHECK(c.family == ModelFamily::kLlama);
  CHECK(c.vocab_size == 96);
  CHECK(c.hidden_size == 32);
  CHECK(c.intermediate_size == 64);
  CHECK(c.num_hidden_layers == 2);
  CHECK(c.num_attention_heads == 4);
  CHECK(c.num_key_value_heads == 2);
  CHECK(c.head_dim == 8);
  CHECK(c.rms_norm_eps == 1e-6);
  CHECK(c.max_position_embeddings == 128);
  CHECK_FALSE(c.tie_word_embeddings);
  CHECK_FALSE(c.qkv_bias);
  CHECK_FALSE(c.mlp_bias);
  CHECK(c.bos_token_id == 1);
  CHECK(c.eos_token_ids == std::vector<int64_t>{2});
  CHECK(c.torch_dtype == "bfloat16");
  CHECK(c.rope.type == RopeType::kDefault);
  CHECK(c.rope.theta == 10000.0);
}

TEST_CASE("defaults and optional keys", "[checkpoint][config]") {
  ModelConfig c = parse(llama_config());
  CHECK(c.num_key_value_heads == 4);
  CHECK(c.head_dim == 16);
  CHECK_FALSE(c.tie_word_embeddings);
  CHECK_FALSE(c.bos_token_id);
  CHECK(c.eos_token_ids.empty());
  CHECK(c.rope.theta == 10000.0);
  CHECK(c.torch_dtype.empty());

  c = parse(llama_config(R"("head_dim":32,"num_key_value_heads":2,"tie_word_embeddings":true,)"
                         R"("eos_token_id":[128001,128008,128009],"bos_token_id":128000,"attention_bias":true,)"
                         R"("mlp_bias":true,"dtype":"float16","rope_scaling":null,"pad_token_id":null)"));
  CHECK(c.head_dim == 32);
  CHECK(c.num_key_value_heads == 2);
  CHECK(c.tie_word_embeddings);
  CHECK(c.eos_token_ids == std::vector<int64_t>{128001, 128008, 128009});
  CHECK(c.bos_token_id == 128000);
  CHECK(c.qkv_bias);
  CHECK(c.o_proj_bias);
  CHECK(c.mlp_bias);
  CHECK(c.torch_dtype == "float16");
  CHECK(c.rope.type == RopeType::kDefault);
  CHECK_FALSE(c.pad_token_id);
}

TEST_CASE("qwen2 and mistral configs", "[checkpoint][config]") {
  ModelConfig q = parse(R"({"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","vocab_size":151936,)"
                        R"("hidden_size":896,"intermediate_size":4864,"num_hidden_layers":24,"num_attention_heads":14,)"
                        R"("num_key_value_heads":2,"rms_norm_eps":1e-06,"max_position_embeddings":32768,)"
                        R"("rope_theta":1000000.0,"sliding_window":32768,"use_sliding_window":false,)"
                        R"("tie_word_embeddings":true,"torch_dtype":"bfloat16"})");
  CHECK(q.family == ModelFamily::kQwen2);
  CHECK(q.head_dim == 64);
  CHECK(q.qkv_bias);
  CHECK_FALSE(q.o_proj_bias);
  CHECK_FALSE(q.sliding_window);
  CHECK(q.rope.theta == 1e6);

  ModelConfig m = parse(R"({"architectures":["MistralForCausalLM"],"model_type":"mistral","vocab_size":32000,)"
                        R"("hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,)"
                        R"("num_attention_heads":32,"num_key_value_heads":8,"rms_norm_eps":1e-05,)"
                        R"("max_position_embeddings":32768,"sliding_window":4096,"head_dim":null})");
  CHECK(m.family == ModelFamily::kMistral);
  CHECK(m.head_dim == 128);
  CHECK(m.sliding_window == 4096);
  CHECK_FALSE(m.qkv_bias);
  CHECK(family_name(m.family) == "mistral");
}

TEST_CASE("bad config.json files are refused with a clear message", "[checkpoint][config]") {
  auto dir = test::scratch_dir("config_bad");
  auto path = dir / "config.json";
  auto load = [&] { load_model_config(path); };

  SECTION("missing file") { require_error(load, path, {"file not found"}); }
  SECTION("not JSON") {
    test::write_bytes(path, "{\"hidden_size\": 64,");
    require_error(load, path, {"not valid JSON"});
  }
  SECTION("not an object") {
    test::write_bytes(path, "[]");
    require_error(load, path, {"expected a JSON object"});
  }
  SECTION("missing required key") {
    std::string text = llama_config();
    text.erase(text.find("\"hidden_size\":64,"), std::string("\"hidden_size\":64,").size());
    test::write_bytes(path, text);
    require_error(load, path, {"missing required key 'hidden_size'"});
  }
  SECTION("wrong type") {
    std::string text = llama_config();
    text.replace(text.find("\"vocab_size\":1000"), std::string("\"vocab_size\":1000").size(), "\"vocab_size\":\"1000\"");
    test::write_bytes(path, text);
    require_error(load, path, {"'vocab_size' must be an integer, got \"1000\""});
  }
  SECTION("unsupported rope type (legacy form)") {
    test::write_bytes(path, llama_config(R"("rope_scaling":{"rope_type":"longrope","factor":4.0})"));
    require_error(load, path, {"unsupported rope type 'longrope'", "default, linear, llama3, yarn"});
  }
  SECTION("unsupported rope type (rope_parameters form)") {
    test::write_bytes(path, llama_config(R"("rope_parameters":{"rope_type":"dynamic","rope_theta":1e4,"factor":2.0})"));
    require_error(load, path, {"unsupported rope type 'dynamic'"});
  }
  SECTION("llama3 rope missing a key") {
    test::write_bytes(path, llama_config(R"("rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,)"
                                         R"("high_freq_factor":4.0})"));
    require_error(load, path, {"missing required key 'rope_scaling.original_max_position_embeddings'"});
  }
  SECTION("unsupported architecture") {
    test::write_bytes(path, R"({"architectures":["GPT2LMHeadModel"],"model_type":"gpt2"})");
    require_error(load, path, {"unsupported architecture 'GPT2LMHeadModel'"});
  }
  SECTION("architecture and model_type disagree") {
    std::string text = llama_config();
    text.replace(text.find("\"model_type\":\"llama\""), 20, "\"model_type\":\"qwen2\"");
    test::write_bytes(path, text);
    require_error(load, path, {"'LlamaForCausalLM' does not match model_type 'qwen2'"});
  }
  SECTION("heads not a multiple of kv heads") {
    test::write_bytes(path, llama_config(R"("num_key_value_heads":3)"));
    require_error(load, path, {"not a multiple of num_key_value_heads (3)"});
  }
  SECTION("another activation") {
    test::write_bytes(path, llama_config(R"("hidden_act":"gelu")"));
    require_error(load, path, {"unsupported hidden_act 'gelu'"});
  }
  SECTION("non-positive size") {
    std::string text = llama_config();
    text.replace(text.find("\"num_hidden_layers\":2"), 21, "\"num_hidden_layers\":0");
    test::write_bytes(path, text);
    require_error(load, path, {"'num_hidden_layers' must be positive, got 0"});
  }
  SECTION("absurd size, refused before anything is sized from it") {
    std::string text = llama_config();
    text.replace(text.find("\"num_hidden_layers\":2"), 21, "\"num_hidden_layers\":1000000000000");
    test::write_bytes(path, text);
    require_error(load, path, {"'num_hidden_layers' is 1000000000000, above the limit of 16777216"});
  }
  SECTION("sizes whose product asks for petabytes") {
    std::string text = llama_config(R"("head_dim":16)");
    text.replace(text.find("\"vocab_size\":1000"), 17, "\"vocab_size\":16777216");
    text.replace(text.find("\"hidden_size\":64"), 16, "\"hidden_size\":16777216");
    test::write_bytes(path, text);
    require_error(load, path, {"the sizes imply 5.63e+14 parameters", "above the limit of 2e+13"});
  }
  SECTION("a token id past 32 bits") {
    test::write_bytes(path, llama_config(R"("eos_token_id":[2,4294967298])"));
    require_error(load, path, {"'eos_token_id' 4294967298 is not a token id (0 to 2147483647)"});
  }
}

}  // namespace
}  // namespace dokpa

namespace dokpa {
namespace {

// Deterministic mutation fuzzing: any corruption of config.json parses or is a dokpa::Error.
TEST_CASE("mutated config.json never escapes as anything but dokpa::Error", "[checkpoint][config][fuzz]") {
  const std::string original =
      llama_config(R"("rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,)"
                   R"("high_freq_factor":4.0,"original_max_position_embeddings":8192},"eos_token_id":[1,2],)"
                   R"("head_dim":16,"tie_word_embeddings":true,"dtype":"bfloat16","bos_token_id":1)");
  REQUIRE_NOTHROW(parse(original));
  const std::string alphabet = "{}[]\",:0123456789-.eEtrufalsn ";
  uint64_t state = 0xc0ff1e;
  auto next = [&state] {  // splitmix64
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  int parsed = 0, refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = original;
    for (int n = 1 + static_cast<int>(next() % 3); n > 0; --n) {
      size_t at = next() % text.size();
      if (next() % 3 == 0) text.erase(at, 1 + next() % 8);
      else text[at] = alphabet[next() % alphabet.size()];
    }
    try {
      ModelConfig c = parse(text);
      REQUIRE(c.head_dim > 0);
      REQUIRE(c.num_attention_heads % c.num_key_value_heads == 0);
      ++parsed;
    } catch (const dokpa::Error& e) {
      REQUIRE(std::string(e.what()).rfind(kSource, 0) == 0);
      ++refused;
    }
  }
  CHECK(parsed > 0);
  CHECK(refused > 1000);
}

}  // namespace
}  // namespace dokpa
