// Bad checkpoints (issue 7, "hostile inputs"): broken safetensors, index, config.json,
// tokenizer.json and tokenizer_config.json files are refused with one clear message naming the
// file, a non-zero exit, and the store unchanged. The suite, submission and data files are in
// test_bad_input_table.cpp; the machinery in bad_input_support.h.
#include <catch2/catch.hpp>

#include "tests/harness/cli/bad_input_support.h"

using namespace dokpa;
using namespace dokpa::test;
using namespace dokpa::test::bad_input;

namespace {

// A row whose checkpoint's model.safetensors is `header` (claimed length, data bytes).
Row weights(std::string name, std::string breaks, std::string header, size_t data_bytes, uint64_t claimed_length,
            std::string message) {
  return Row{name, "model.safetensors: " + breaks,
             [=](Case& c) {
               fs::path ckpt = c.checkpoint({"model.safetensors"});
               write_safetensors(ckpt / "model.safetensors", header, data_bytes, claimed_length);
             },
             "dokpa: error: {dir}/ckpt/model.safetensors: " + message};
}

// A row whose checkpoint's `file` is the default model's, edited by `edit`.
Row edited_json(std::string name, const char* file, std::string breaks,
                std::function<void(nlohmann::ordered_json&)> edit, std::string message) {
  return Row{name, std::string(file) + ": " + breaks,
             [=](Case& c) {
               fs::path ckpt = c.checkpoint({file});
               nlohmann::ordered_json json = default_model_json(file);
               edit(json);
               write_text(ckpt / file, json.dump(1));
             },
             "dokpa: error: {dir}/ckpt/" + std::string(file) + ": " + message};
}

// A row whose checkpoint's `file` is the given text.
Row raw_file(std::string name, const char* file, std::string breaks, std::string text, std::string message) {
  return Row{name, std::string(file) + ": " + breaks,
             [=](Case& c) {
               fs::path ckpt = c.checkpoint({file});
               write_text(ckpt / file, text);
             },
             "dokpa: error: {dir}/ckpt/" + std::string(file) + ": " + message};
}

const char* const kTensorA = R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})";

}  // namespace

TEST_CASE("bad safetensors and weight indexes are refused, store unchanged", "[cli][bad-input][smollm2]") {
  const std::vector<Row> rows = {
      Row{"st_truncated", "model.safetensors: 5 bytes, shorter than the 8-byte header length",
          [](Case& c) { write_text(c.checkpoint({"model.safetensors"}) / "model.safetensors", "abcde"); },
          "dokpa: error: {dir}/ckpt/model.safetensors: truncated: 5 bytes, too short for the 8-byte header length"},
      weights("st_header_past_end", "header length 1 MiB in a 10-byte file", "{}", 0, 1u << 20,
              "header length 1048576 runs past the end of the file (10 bytes)"),
      weights("st_header_absurd", "header length 2^63", "{}", 0, uint64_t{1} << 63,
              "header length 9223372036854775808 exceeds the 100000000-byte limit"),
      weights("st_header_not_json", "header is not JSON", "{\"a\": nope}", 0, 0,
              "header is not valid JSON ([json.exception.parse_error.101] parse error at line 1, column 8: syntax "
              "error while parsing value - invalid literal; last read: '\"a\": no')"),
      weights("st_header_not_object", "header is a JSON list", "[1, 2]", 0, 0, "header is not a JSON object"),
      weights("st_unknown_dtype", "a tensor of dtype F4", R"({"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}})", 2,
              0, "tensor 'a': unknown dtype 'F4'"),
      weights("st_overlap", "two tensors share bytes",
              std::string("{") + kTensorA + R"(,"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 24, 0,
              "tensor 'b': data_offsets [8, 24] overlap tensor 'a' [0, 16]"),
      weights("st_out_of_range", "a tensor past the end of the data", std::string("{") + kTensorA + "}", 8, 0,
              "tensor 'a': data_offsets [0, 16] run past the end of the data section (8 bytes)"),
      weights("st_hole", "bytes between tensors that belong to none",
              std::string("{") + kTensorA + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[20,24]}})", 24, 0,
              "data section bytes [16, 20) belong to no tensor (before tensor 'b')"),
      weights("st_shape_mismatch", "shape [3] of F32 over a 16-byte span",
              R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16, 0,
              "tensor 'a': data_offsets [0, 16] span 16 bytes but dtype F32 with shape [3] needs 12"),
      weights("st_shape_overflow", "element count past 2^64",
              R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16, 0,
              "tensor 'a': shape [4294967296,4294967296,16] is too large"),
      weights("st_negative_dimension", "shape [-1]", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4, 0,
              "tensor 'a': shape must hold non-negative integers, got -1"),
      weights("st_offset_overflow", "an offset past INT64_MAX",
              R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})", 1, 0,
              "tensor 'a': data_offsets must hold non-negative integers, got 18446744073709551615"),
      Row{"st_zip_renamed", "model.safetensors: a torch.save zip archive renamed",
          [](Case& c) {
            write_text(c.checkpoint({"model.safetensors"}) / "model.safetensors",
                       std::string("PK\x03\x04", 4) + std::string(64, 'x'));
          },
          "dokpa: error: {dir}/ckpt/model.safetensors: is a zip archive (a PyTorch torch.save checkpoint?), not "
          "safetensors; pickled checkpoints are refused because loading them can execute code"},
      Row{"pickled_bin", "pytorch_model.bin instead of model.safetensors",
          [](Case& c) {
            write_text(c.checkpoint({"model.safetensors"}) / "pytorch_model.bin",
                       std::string("PK\x03\x04", 4) + "pickled weights");
          },
          "dokpa: error: {dir}/ckpt/pytorch_model.bin: pickled checkpoints are refused because loading them can "
          "execute code; convert the weights to safetensors"},
      Row{"index_shard_escapes", "model.safetensors.index.json: a shard named ../model.safetensors",
          [](Case& c) {
            fs::path ckpt = c.checkpoint({"model.safetensors"});
            write_safetensors(c.dir / "model.safetensors", std::string("{") + kTensorA + "}", 16);
            write_text(ckpt / "model.safetensors.index.json", R"({"weight_map": {"a": "../model.safetensors"}})");
          },
          "dokpa: error: {dir}/ckpt/model.safetensors.index.json: weight_map['a'] = '../model.safetensors' is not a "
          "plain file name in the checkpoint folder"},
      Row{"index_shard_absolute", "model.safetensors.index.json: a shard named by an absolute path",
          [](Case& c) {
            fs::path ckpt = c.checkpoint({"model.safetensors"});
            write_text(ckpt / "model.safetensors.index.json", R"({"weight_map": {"a": "/etc/passwd"}})");
          },
          "dokpa: error: {dir}/ckpt/model.safetensors.index.json: weight_map['a'] = '/etc/passwd' is not a plain "
          "file name in the checkpoint folder"},
  };
  for (const Row& row : rows) check_row(row);
}

TEST_CASE("bad config.json files are refused before anything is sized, store unchanged", "[cli][bad-input][smollm2]") {
  const std::vector<Row> rows = {
      raw_file("config_not_json", "config.json", "not JSON", "{\"vocab_size\": 49152,",
               "not valid JSON ([json.exception.parse_error.101] parse error at line 1, column 22: syntax error while "
               "parsing object key - unexpected end of input; expected string literal)"),
      edited_json(
          "config_missing_key", "config.json", "no hidden_size", [](auto& j) { j.erase("hidden_size"); },
          "missing required key 'hidden_size'"),
      edited_json(
          "config_wrong_type", "config.json", "num_hidden_layers is a string",
          [](auto& j) { j["num_hidden_layers"] = "30"; }, "'num_hidden_layers' must be an integer, got \"30\""),
      edited_json(
          "config_negative_size", "config.json", "num_attention_heads is negative",
          [](auto& j) { j["num_attention_heads"] = -9; }, "'num_attention_heads' must be positive, got -9"),
      edited_json(
          "config_absurd_layers", "config.json", "10^12 layers",
          [](auto& j) { j["num_hidden_layers"] = 1000000000000; },
          "'num_hidden_layers' is 1000000000000, above the limit of 16777216"),
      edited_json(
          "config_petabytes", "config.json", "vocab_size x hidden_size of 2^48",
          [](auto& j) {
            j["vocab_size"] = 16777216;
            j["hidden_size"] = 16777216;
            j["head_dim"] = 64;
          },
          "the sizes imply 2.85e+14 parameters (vocab_size 16777216, hidden_size 16777216, intermediate_size 1536, "
          "num_hidden_layers 30), above the limit of 2e+13"),
      edited_json(
          "config_size_out_of_range", "config.json", "vocab_size past INT64_MAX",
          [](auto& j) { j["vocab_size"] = 18446744073709551615u; }, "'vocab_size' is out of range"),
      edited_json(
          "config_unknown_architecture", "config.json", "a GPT-2",
          [](auto& j) {
            j["model_type"] = "gpt2";
            j["architectures"] = {"GPT2LMHeadModel"};
          },
          "unsupported architecture 'GPT2LMHeadModel' (model_type 'gpt2'); the native decoder supports model_type "
          "llama (LlamaForCausalLM), mistral (MistralForCausalLM), qwen2 (Qwen2ForCausalLM), qwen3 "
          "(Qwen3ForCausalLM), exaone4 (Exaone4ForCausalLM), qwen3_moe (Qwen3MoeForCausalLM), mixtral "
          "(MixtralForCausalLM)"),
      edited_json(
          "config_eos_not_an_id", "config.json", "eos_token_id past 2^31",
          [](auto& j) { j["eos_token_id"] = 4294967296; },
          "'eos_token_id' 4294967296 is not a token id (0 to 2147483647)"),
      edited_json(
          "config_bos_outside_vocabulary", "config.json", "bos_token_id past vocab_size",
          [](auto& j) { j["bos_token_id"] = 1000000; },
          "bos_token_id 1000000, the token before an empty context, is outside the vocabulary (vocab_size 49152)"),
  };
  for (const Row& row : rows) check_row(row);
}

TEST_CASE("bad tokenizer.json and tokenizer_config.json files are refused, store unchanged",
          "[cli][bad-input][smollm2]") {
  const std::vector<Row> rows = {
      raw_file("tokenizer_not_json", "tokenizer.json", "not JSON", "{\"version\": \"1.0\", ]",
               "malformed JSON: [json.exception.parse_error.101] parse error at line 1, column 20: syntax error "
               "while parsing object key - unexpected ']'; expected string literal"),
      edited_json(
          "tokenizer_unknown_model", "tokenizer.json", "a Unigram model",
          [](auto& j) { j["model"]["type"] = "Unigram"; },
          "unsupported model type 'Unigram' (only BPE is implemented)"),
      edited_json(
          "tokenizer_merge_unknown_token", "tokenizer.json", "a merge of tokens not in the vocabulary",
          [](auto& j) {
            j["model"]["merges"][0] = {"zzqq", "qqzz"};
          },
          "model.merges[0] ('zzqq', 'qqzz') uses a token that is not in the vocabulary"),
      edited_json(
          "tokenizer_vocab_id_negative", "tokenizer.json", "a vocabulary id of -1",
          [](auto& j) { j["model"]["vocab"]["a"] = -1; }, "model.vocab['a'] is not a valid id (0 to 2147483646)"),
      edited_json(
          "tokenizer_added_token_bad_id", "tokenizer.json", "added_tokens[0].id is -1",
          [](auto& j) { j["added_tokens"][0]["id"] = -1; },
          "added_tokens[0].id must be a non-negative integer, got -1"),
      edited_json(
          "tokenizer_added_token_past_embedding", "tokenizer.json", "a new added token, whose id the model lacks",
          [](auto& j) {
            j["added_tokens"].push_back({{"id", 49152},
                                         {"content", "<|new|>"},
                                         {"single_word", false},
                                         {"lstrip", false},
                                         {"rstrip", false},
                                         {"normalized", false},
                                         {"special", true}});
          },
          "has token ids up to 49152 but config.json's vocab_size is 49152 (the model has no embedding for the ids "
          "from 49152 on)"),
      Row{"chat_template_syntax", "tokenizer_config.json: a chat template with an unclosed {{",
          [](Case& c) {
            fs::path ckpt = c.checkpoint({"tokenizer_config.json"});
            nlohmann::ordered_json config = default_model_json("tokenizer_config.json");
            config["chat_template"] = "{% for m in messages %}{{ m.content }{% endfor %}";
            write_text(ckpt / "tokenizer_config.json", config.dump(1));
            write_text(c.submission, submission_for(ckpt, "prompt_format: chat\n"));
          },
          "dokpa: error: {dir}/ckpt/tokenizer_config.json: chat template: line 1, column 24: unclosed variable tag "
          "'{{'"},
      Row{"chat_template_wrong_type", "tokenizer_config.json: chat_template is a number",
          [](Case& c) {
            fs::path ckpt = c.checkpoint({"tokenizer_config.json"});
            nlohmann::ordered_json config = default_model_json("tokenizer_config.json");
            config["chat_template"] = 42;
            write_text(ckpt / "tokenizer_config.json", config.dump(1));
            write_text(c.submission, submission_for(ckpt, "prompt_format: chat\n"));
          },
          "dokpa: error: {dir}/ckpt/tokenizer_config.json: 'chat_template' must be a string or a list of {name, "
          "template}"},
  };
  for (const Row& row : rows) check_row(row);
}
