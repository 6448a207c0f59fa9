// WeightSource / locate_weights: a sharded checkpoint written by transformers' save_pretrained,
// pickled checkpoints refused, and inconsistent indexes caught before any weight is used.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "runners/native/checkpoint/checkpoint_files.h"
#include "runners/native/checkpoint/model_config.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

namespace dokpa {
namespace {

namespace fs = std::filesystem;
using test::require_error;
using test::write_bytes;
using test::write_safetensors;

// Header entry of a U8 tensor spanning [begin, end).
std::string u8_tensor(const std::string& name, int64_t begin, int64_t end) {
  return fmt::format(R"("{}":{{"dtype":"U8","shape":[{}],"data_offsets":[{},{}]}})", name, end - begin, begin, end);
}

std::string header(std::initializer_list<std::string> entries) {
  std::string out = "{";
  for (const auto& entry : entries) {
    if (out.size() > 1) out += ",";
    out += entry;
  }
  return out + "}";
}

TEST_CASE("WeightSource reads a sharded checkpoint saved by transformers", "[checkpoint][weights]") {
  auto ref = test::safetensors_reference();
  auto expected = nlohmann::json::parse(read_file(ref / "sharded_expected.json"));
  auto dir = ref / "sharded";

  WeightIndex index = locate_weights(dir);
  REQUIRE(index.index_file == dir / "model.safetensors.index.json");
  REQUIRE(index.shards.size() == expected["shards"].size());
  REQUIRE(index.shards.size() > 1);

  auto weights = WeightSource::open(dir);
  std::vector<std::string> want_names;
  for (const auto& [name, _] : expected["tensors"].items()) want_names.push_back(name);  // sorted (json map)
  CHECK(weights.names() == want_names);
  CHECK(weights.parameter_count() == expected["parameter_count"].get<int64_t>());

  for (const auto& [name, want] : expected["tensors"].items()) {
    INFO("tensor " << name);
    const TensorView& view = weights.at(name);
    CHECK(dtype_name(view.dtype) == want["dtype"].get<std::string>());
    CHECK(view.shape == want["shape"].get<std::vector<int64_t>>());
    CHECK(sha256_hex(std::string_view(reinterpret_cast<const char*>(view.data), view.nbytes)) ==
          want["sha256"].get<std::string>());
    CHECK(index.weight_map.at(name) == dir / want["shard"].get<std::string>());
  }
  CHECK(weights.find("no.such.tensor") == nullptr);
  require_error([&] { weights.at("no.such.tensor"); }, dir, {"checkpoint has no tensor 'no.such.tensor'"});

  std::vector<fs::path> files = weights.files();
  REQUIRE(files.size() == expected["shards"].size() + 1);
  CHECK(files.front() == dir / "model.safetensors.index.json");
  for (size_t i = 0; i < index.shards.size(); ++i)
    CHECK(files[i + 1] == dir / expected["shards"][i].get<std::string>());

  // Views stay valid when the WeightSource moves.
  const std::byte* before = weights.at("lm_head.weight").data;
  WeightSource moved = std::move(weights);
  CHECK(moved.at("lm_head.weight").data == before);
}

TEST_CASE("a single model.safetensors is found", "[checkpoint][weights]") {
  auto dir = test::scratch_dir("weights_single");
  write_safetensors(dir / "model.safetensors", header({u8_tensor("w", 0, 3)}), "abc");
  write_bytes(dir / "pytorch_model.bin", "PK\x03\x04 ignored when safetensors exist");
  auto weights = WeightSource::open(dir);
  CHECK(weights.names() == std::vector<std::string>{"w"});
  CHECK(weights.parameter_count() == 3);
  CHECK(weights.files() == std::vector<fs::path>{dir / "model.safetensors"});
}

// A two-shard checkpoint built by hand; each section breaks one thing.
struct ShardedFixture {
  fs::path dir = test::scratch_dir("weights_sharded");
  ShardedFixture() {
    write_safetensors(dir / "s1.safetensors", header({u8_tensor("a", 0, 2), u8_tensor("b", 2, 4)}), "abcd");
    write_safetensors(dir / "s2.safetensors", header({u8_tensor("c", 0, 1)}), "e");
  }
  void index(const std::string& weight_map) {
    write_bytes(dir / "model.safetensors.index.json", R"({"metadata":{},"weight_map":{)" + weight_map + "}}");
  }
  fs::path index_path() const { return dir / "model.safetensors.index.json"; }
};

TEST_CASE("inconsistent shard indexes are refused", "[checkpoint][weights]") {
  ShardedFixture f;
  auto open = [&] { WeightSource::open(f.dir); };

  SECTION("consistent index opens") {
    f.index(R"("a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors")");
    CHECK(WeightSource::open(f.dir).names() == std::vector<std::string>{"a", "b", "c"});
  }
  SECTION("index naming a missing shard") {
    f.index(R"("a":"s1.safetensors","b":"s1.safetensors","c":"s3.safetensors")");
    require_error(open, f.index_path(), {"weight_map['c'] names shard 's3.safetensors', which does not exist"});
  }
  SECTION("index mapping a tensor its shard does not hold") {
    f.index(R"("a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors","d":"s2.safetensors")");
    require_error(open, f.index_path(), {"tensor 'd'", "'s2.safetensors', which has no such tensor"});
  }
  SECTION("index putting a tensor in the wrong shard") {
    f.index(R"("a":"s1.safetensors","b":"s2.safetensors","c":"s2.safetensors")");
    require_error(open, f.index_path(), {"puts tensor 'b' in 's2.safetensors' but it is in 's1.safetensors'"});
  }
  SECTION("shard holding a tensor the index does not list") {
    f.index(R"("a":"s1.safetensors","c":"s2.safetensors")");
    require_error(open, f.dir / "s1.safetensors", {"tensor 'b' is not in the weight_map"});
  }
  SECTION("a tensor in two shards") {
    write_safetensors(f.dir / "s2.safetensors", header({u8_tensor("a", 0, 2), u8_tensor("c", 2, 3)}), "xye");
    f.index(R"("a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors")");
    require_error(open, f.dir / "s2.safetensors", {"tensor 'a' is also in shard 's1.safetensors'"});
  }
  SECTION("a shard name that leaves the folder") {
    f.index(R"("a":"../s1.safetensors")");
    require_error(open, f.index_path(), {"'../s1.safetensors' is not a plain file name"});
  }
  SECTION("index not JSON") {
    write_bytes(f.index_path(), "{\"weight_map\": ");
    require_error(open, f.index_path(), {"not valid JSON"});
  }
  SECTION("index without weight_map") {
    write_bytes(f.index_path(), R"({"metadata":{}})");
    require_error(open, f.index_path(), {"'weight_map' object"});
  }
  SECTION("a shard that is really a zip archive") {
    write_bytes(f.dir / "s2.safetensors", std::string("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10));
    f.index(R"("a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors")");
    require_error(open, f.dir / "s2.safetensors", {"zip archive", "pickled checkpoints are refused"});
  }
}

TEST_CASE("pickled checkpoints are refused", "[checkpoint][weights]") {
  auto dir = test::scratch_dir("weights_pickled");
  SECTION("pytorch_model.bin") {
    write_bytes(dir / "config.json", "{}");
    write_bytes(dir / "pytorch_model.bin", std::string("PK\x03\x04", 4));
    require_error([&] { WeightSource::open(dir); }, dir / "pytorch_model.bin",
                  {"pickled checkpoints are refused because loading them can execute code"});
  }
  SECTION("a .pt file") {
    write_bytes(dir / "consolidated.00.pth", std::string("\x80\x02", 2));
    require_error([&] { locate_weights(dir); }, dir / "consolidated.00.pth", {"pickled checkpoints are refused"});
  }
}

TEST_CASE("folders without weights are refused", "[checkpoint][weights]") {
  auto dir = test::scratch_dir("weights_none");
  require_error([&] { locate_weights(dir); }, dir, {"no weights", "model.safetensors"});
  write_safetensors(dir / "adapter.safetensors", "{}", "");
  require_error([&] { locate_weights(dir); }, dir, {"found 'adapter.safetensors'", "model.safetensors.index.json"});
  require_error([&] { locate_weights(dir / "absent"); }, dir / "absent", {"checkpoint folder not found"});
}

}  // namespace
}  // namespace dokpa

namespace dokpa {
namespace {

// The converted default model (scripts/setup.sh); numbers from safetensors' safe_open.
TEST_CASE("the default model's checkpoint opens", "[checkpoint][weights][default_model]") {
  auto dir = test::default_model_dir();
  INFO("default model folder: " << dir);
  REQUIRE(fs::exists(dir / "model.safetensors"));
  auto weights = WeightSource::open(dir);
  CHECK(weights.names().size() == 272);
  CHECK(weights.parameter_count() == 134515008);
  CHECK(weights.find("lm_head.weight") == nullptr);  // tied to the embedding
  const TensorView& embed = weights.at("model.embed_tokens.weight");
  CHECK(embed.dtype == Dtype::F32);
  CHECK(embed.shape == std::vector<int64_t>{49152, 576});

  ModelConfig config = load_model_config(dir / "config.json");
  CHECK(config.hidden_size == 576);
  CHECK(config.num_hidden_layers == 30);
  CHECK(config.num_key_value_heads == 3);
  CHECK(config.head_dim == 64);
  CHECK(config.tie_word_embeddings);
  CHECK(config.rope.theta == 100000.0);
  CHECK(config.pad_token_id == 2);
}

}  // namespace
}  // namespace dokpa
