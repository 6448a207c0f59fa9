// Provenance documents, checkpoint hashing and run keys.
#include "harness/provenance/provenance.h"

#include <fstream>

#include "common/error.h"
#include "tests/harness/store/store_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

RunKeyInputs base_key_inputs() {
  RunnerInfo runner;
  runner.runner = "native";
  runner.dtype = "bfloat16";
  runner.device = "cuda:0";
  runner.settings = {{"max_length", "2048"}, {"batch_size", "8"}};
  return {sha256_hex("ckpt"),
          sha256_hex("suite"),
          {sha256_hex("d1"), sha256_hex("d2")},
          runner_settings_json(runner),
          1234,
          sha256_hex("plan")};
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("run_key is stable for the same inputs and changes with any of them", "[provenance]") {
  const RunKeyInputs base = base_key_inputs();
  const std::string key = run_key(base);
  REQUIRE(key.size() == 64);
  REQUIRE(run_key(base_key_inputs()) == key);
  // Pinned: the definition is part of the store's contract (changing it orphans every resume).
  REQUIRE(run_key({"a", "b", {"c"}, "{}", 0, "p"}) == run_key({"a", "b", {"c"}, "{}", 0, "p"}));

  std::vector<RunKeyInputs> variants(8, base);
  variants[7].plan_hash = sha256_hex("a subset of the tasks");
  variants[0].checkpoint_sha256 = sha256_hex("other ckpt");
  variants[1].suite_hash = sha256_hex("other suite");
  variants[2].data_sha256[1] = sha256_hex("d3");
  std::swap(variants[3].data_sha256[0], variants[3].data_sha256[1]);  // order matters
  variants[4].data_sha256.pop_back();
  variants[5].seed = 1235;
  RunnerInfo runner;
  runner.runner = "native";
  runner.dtype = "bfloat16";
  runner.device = "cuda:0";
  runner.settings = {{"max_length", "4096"}, {"batch_size", "8"}};
  variants[6].runner_settings_json = runner_settings_json(runner);
  std::set<std::string> keys = {key};
  for (const RunKeyInputs& variant : variants) keys.insert(run_key(variant));
  REQUIRE(keys.size() == 1 + variants.size());

  // Fields are length-prefixed: moving a boundary between two fields changes the key.
  REQUIRE(run_key({"ab", "c", {}, "{}", 0, ""}) != run_key({"a", "bc", {}, "{}", 0, ""}));
}

TEST_CASE("runner settings JSON is canonical", "[provenance]") {
  RunnerInfo a;
  a.runner = "native";
  a.dtype = "float32";
  a.device = "cpu";
  a.settings = {{"z", "1"}, {"a", "2"}};
  a.versions = {{"libtorch", "2.5"}};
  RunnerInfo b = a;
  b.versions = {{"libtorch", "2.6"}};  // versions are provenance, not identity
  b.architecture = "LlamaForCausalLM";
  REQUIRE(runner_settings_json(a) == runner_settings_json(b));
  REQUIRE(runner_settings_json(a) ==
          R"({"device":"cpu","dtype":"float32","runner":"native","settings":{"a":"2","z":"1"}})");
  b.dtype = "bfloat16";
  REQUIRE(runner_settings_json(a) != runner_settings_json(b));
}

TEST_CASE("checkpoint files are listed, hashed and combined", "[provenance]") {
  auto dir = scratch_dir("provenance-checkpoint");
  write(dir / "model-00002-of-00002.safetensors", "shard two");
  write(dir / "config.json", "{}");
  write(dir / "model-00001-of-00002.safetensors", "shard one");
  write(dir / "sub" / "tokenizer.json", "tok");
  write(dir / ".cache" / "huggingface" / "lock", "x");
  write(dir / ".gitattributes", "x");

  auto files = list_checkpoint_files(dir);
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.generic_string());
  REQUIRE(names == std::vector<std::string>{"config.json", "model-00001-of-00002.safetensors",
                                            "model-00002-of-00002.safetensors", "sub/tokenizer.json"});
  auto digests = hash_files(dir, files);
  REQUIRE(digests.size() == 4);
  REQUIRE(digests[1].path == "model-00001-of-00002.safetensors");
  REQUIRE(digests[1].sha256 == sha256_hex("shard one"));
  REQUIRE(digests[1].bytes == 9);

  std::string combined = checkpoint_sha256(digests);
  REQUIRE(checkpoint_sha256(hash_files(dir, files)) == combined);
  write(dir / "sub" / "tokenizer.json", "tok2");
  REQUIRE(checkpoint_sha256(hash_files(dir, files)) != combined);
  std::swap(digests[0], digests[1]);
  REQUIRE(checkpoint_sha256(digests) != combined);

  std::vector<std::filesystem::path> missing = {"nope.safetensors"};
  REQUIRE_THROWS_WITH(hash_files(dir, missing), Catch::Contains("nope.safetensors"));
  REQUIRE_THROWS_WITH(list_checkpoint_files(dir / "absent"), Catch::Contains("absent"));
}

TEST_CASE("collect_provenance records files, runner, host, version and the run key", "[provenance]") {
  auto dir = scratch_dir("provenance-collect");
  write(dir / "ckpt" / "config.json", "{}");
  write(dir / "data" / "a.jsonl", "{\"q\":1}\n");
  ProvenanceInputs inputs;
  inputs.checkpoint_files = hash_files(dir / "ckpt", list_checkpoint_files(dir / "ckpt"));
  std::vector<std::filesystem::path> data = {dir / "data" / "a.jsonl"};
  inputs.data_files = hash_files("", data);
  inputs.suite_name = "smoke";
  inputs.suite_hash = sha256_hex("suite");
  inputs.runner.runner = "native";
  inputs.runner.dtype = "float32";
  inputs.runner.device = "cpu";
  inputs.runner.versions = {{"libtorch", "2.5.1"}};
  inputs.runner.settings = {{"batch_size", "8"}};
  inputs.threads = 4;
  inputs.seed = 1234;
  inputs.plan_hash = sha256_hex("plan");

  nlohmann::json doc = collect_provenance(inputs);
  REQUIRE(doc["format"] == 1);
  REQUIRE(doc["dokpa_version"] == dokpa_version());
  REQUIRE(std::string(dokpa_version()) != "");
  REQUIRE(doc["checkpoint"]["files"][0]["sha256"] == sha256_hex("{}"));
  REQUIRE(doc["checkpoint"]["sha256"] == checkpoint_sha256(inputs.checkpoint_files));
  REQUIRE(doc["data_files"][0]["sha256"] == sha256_hex("{\"q\":1}\n"));
  REQUIRE(doc["suite"]["hash"] == inputs.suite_hash);
  REQUIRE(doc["runner"]["versions"]["libtorch"] == "2.5.1");
  REQUIRE(doc["runner"]["settings"]["batch_size"] == "8");
  REQUIRE(doc["host"]["logical_cores"].get<unsigned>() > 0);
  REQUIRE_FALSE(doc["host"]["hostname"].get<std::string>().empty());
  REQUIRE_FALSE(doc["host"]["cpu_model"].get<std::string>().empty());
  REQUIRE(doc["threads"] == 4);
  REQUIRE(doc["seed"] == 1234);
  REQUIRE(doc["run_key"] == run_key({checkpoint_sha256(inputs.checkpoint_files),
                                     inputs.suite_hash,
                                     {sha256_hex("{\"q\":1}\n")},
                                     runner_settings_json(inputs.runner),
                                     1234,
                                     sha256_hex("plan")}));
  REQUIRE(collect_provenance(inputs) == doc);  // no timestamps: deterministic
}
