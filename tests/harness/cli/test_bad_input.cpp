// Check 6 of the walking skeleton: every bad input gets one clear message naming the file, a
// non-zero exit, and leaves the store as it was.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>

#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

namespace fs = std::filesystem;

const char* kTinyCsv =
    "question,answer,A,B,C,D,Category,Human Accuracy\n"
    "1 더하기 1은?,2,1,2,3,4,math,0.9\n"
    "하늘의 색은?,1,파랑,빨강,초록,검정,general,0.9\n";

std::string tiny_suite(const std::string& data_path, const std::string& extra_task_field = "") {
  return "name: tiny\nversion: 1\nseed: 1\ntasks:\n"
         "  - name: tiny_mc\n    output: multiple_choice\n"
         "    dataset: {format: csv, path: " + data_path + "}\n" + extra_task_field +
         "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답：\"\n"
         "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n    metrics: [acc]\n";
}

std::string submission_for(const fs::path& checkpoint) {
  return "team: test\nmodel: tiny\nkind: llm\ncheckpoint: " + checkpoint.string() +
         "\nrunner: native\ndtype: float32\ndevice: cpu\nbatch_size: 4\n";
}

// A checkpoint folder whose config and tokenizer are the default model's (linked), so only the
// file a case breaks is wrong.
fs::path checkpoint_copy(const fs::path& dir) {
  fs::create_directories(dir);
  for (const char* name : {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}) {
    fs::path from = default_model_dir() / name;
    if (fs::exists(from)) fs::create_symlink(from, dir / name);
  }
  return dir;
}

// A store holding one complete run, copied fresh for every case. Each test process builds its
// own: ctest runs this file's test cases side by side, and a shared folder would be resumed.
fs::path baseline_store(const fs::path& dir) {
  static fs::path baseline;
  if (baseline.empty()) {
    fs::path base = scratch_dir("bad_input_baseline_" + std::to_string(::getpid()));
    write_text(base / "tiny.csv", kTinyCsv);
    write_text(base / "tiny.yaml", tiny_suite("tiny.csv"));
    write_text(base / "submission.yaml", submission_for(default_model_dir()));
    CommandResult run = run_dokpa("run --suite " + shell_quote((base / "tiny.yaml").string()) + " --submission " +
                                  shell_quote((base / "submission.yaml").string()) + " --store " +
                                  shell_quote((base / "baseline.db").string()));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    baseline = base / "baseline.db";
  }
  fs::path copy = dir / "store.db";
  fs::copy_file(baseline, copy, fs::copy_options::overwrite_existing);
  return copy;
}

void expect_rejected(const fs::path& dir, const fs::path& suite, const fs::path& submission,
                     const std::string& names_file, const std::string& names_problem) {
  fs::path store = baseline_store(dir);
  auto before = stored_results(store);
  CommandResult run = run_dokpa("run --suite " + shell_quote(suite.string()) + " --submission " +
                                shell_quote(submission.string()) + " --store " + shell_quote(store.string()));
  INFO(run.output);
  CHECK(run.exit_code != 0);
  CHECK(run.output.find(names_file) != std::string::npos);
  CHECK(run.output.find(names_problem) != std::string::npos);
  CHECK(run.output.find("dokpa: error:") != std::string::npos);
  CHECK(stored_results(store) == before);
  CHECK(query_rows(store, "SELECT count(*) FROM submissions") == std::vector<std::string>{"1"});
}

// Writes a safetensors file: an 8-byte little-endian header length, the header, then `data_bytes` zeros.
void write_safetensors(const fs::path& path, const std::string& header, size_t data_bytes, uint64_t claimed_length = 0) {
  uint64_t length = claimed_length ? claimed_length : header.size();
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &length, 8);
  bytes += header + std::string(data_bytes, '\0');
  write_text(path, bytes);
}

struct Case {
  fs::path dir, suite, submission;
};

Case valid_case(const std::string& name) {
  Case c{scratch_dir("bad_input_" + name), {}, {}};
  write_text(c.dir / "tiny.csv", kTinyCsv);
  c.suite = c.dir / "tiny.yaml";
  write_text(c.suite, tiny_suite("tiny.csv"));
  c.submission = c.dir / "submission.yaml";
  write_text(c.submission, submission_for(default_model_dir()));
  return c;
}

void use_checkpoint(Case& c, const fs::path& checkpoint) { write_text(c.submission, submission_for(checkpoint)); }

// A checkpoint whose model.safetensors is the given header and data; the run must be refused.
void expect_bad_weights(const std::string& name, const std::string& header, size_t data_bytes, uint64_t claimed_length,
                        const std::string& names_problem) {
  Case c = valid_case(name);
  fs::path ckpt = checkpoint_copy(c.dir / "ckpt");
  fs::remove(ckpt / "model.safetensors");
  write_safetensors(ckpt / "model.safetensors", header, data_bytes, claimed_length);
  use_checkpoint(c, ckpt);
  expect_rejected(c.dir, c.suite, c.submission, "model.safetensors", names_problem);
}

}  // namespace

TEST_CASE("bad checkpoints are refused with the file named, store unchanged", "[cli][bad-input][smollm2]") {
  SECTION("truncated safetensors") {
    Case c = valid_case("truncated");
    fs::path ckpt = checkpoint_copy(c.dir / "ckpt");
    fs::remove(ckpt / "model.safetensors");
    std::string head = read_file(default_model_dir() / "model.safetensors").substr(0, 200000);
    write_text(ckpt / "model.safetensors", head);
    use_checkpoint(c, ckpt);
    expect_rejected(c.dir, c.suite, c.submission, "model.safetensors", "run past the end");
  }
  SECTION("header length past the end of the file") {
    expect_bad_weights("header_past_end", "{}", 0, 1u << 20, "header");
  }
  SECTION("overlapping tensor offsets") {
    expect_bad_weights("overlap",
                       R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                       24, 0, "overlap");
  }
  SECTION("offsets out of range") {
    expect_bad_weights("out_of_range", R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8, 0, "run past the end");
  }
  SECTION("dtype and shape disagree with the byte span") {
    expect_bad_weights("size_mismatch", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", 16, 0, "needs 12");
  }
  SECTION("pickled checkpoint") {
    Case c = valid_case("pickled");
    fs::path ckpt = checkpoint_copy(c.dir / "ckpt");
    fs::remove(ckpt / "model.safetensors");
    write_text(ckpt / "pytorch_model.bin", std::string("PK\x03\x04", 4) + "pickled weights");
    use_checkpoint(c, ckpt);
    expect_rejected(c.dir, c.suite, c.submission, "pytorch_model.bin", "pickle");
  }
  SECTION("config.json without a required key") {
    Case c = valid_case("missing_key");
    fs::path ckpt = checkpoint_copy(c.dir / "ckpt");
    fs::remove(ckpt / "config.json");
    std::string config = read_file(default_model_dir() / "config.json");
    size_t at = config.find("\"hidden_size\"");
    REQUIRE(at != std::string::npos);
    config.replace(at, std::string("\"hidden_size\"").size(), "\"hidden_sizes\"");
    write_text(ckpt / "config.json", config);
    use_checkpoint(c, ckpt);
    expect_rejected(c.dir, c.suite, c.submission, "config.json", "hidden_size");
  }
}

TEST_CASE("bad suites and data are refused with the file named, store unchanged", "[cli][bad-input][smollm2]") {
  SECTION("malformed YAML") {
    Case c = valid_case("malformed_yaml");
    write_text(c.suite, "name: tiny\ntasks:\n  - name: [unclosed\n");
    expect_rejected(c.dir, c.suite, c.submission, "tiny.yaml", "malformed YAML");
  }
  SECTION("CSV with broken quoting") {
    Case c = valid_case("broken_csv");
    write_text(c.dir / "broken.csv", std::string(kTinyCsv) + "\"unterminated,1,a,b,c,d,x,0.5\n");
    write_text(c.suite, tiny_suite("broken.csv"));
    expect_rejected(c.dir, c.suite, c.submission, "broken.csv:4", "never closed");
  }
  SECTION("missing data file") {
    Case c = valid_case("missing_data");
    write_text(c.suite, tiny_suite("missing.csv"));
    expect_rejected(c.dir, c.suite, c.submission, "missing.csv", "not found");
  }
  SECTION("unknown task field") {
    Case c = valid_case("unknown_field");
    write_text(c.suite, tiny_suite("tiny.csv", "    promt: \"typo\"\n"));
    expect_rejected(c.dir, c.suite, c.submission, "tiny.yaml", "promt");
  }
}
