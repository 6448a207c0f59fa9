#pragma once
// The table-driven bad-input tests (issue 7, "hostile inputs"): each row breaks one input file,
// and `dokpa run` (and `dokpa data check` where that is the natural command) must exit non-zero
// with exactly one error line, equal to the row's, and leave every table of the store as it was.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/harness/cli/cli_test_support.h"

namespace dokpa::test::bad_input {

namespace fs = std::filesystem;

inline const char* const kTinyCsv =
    "question,answer,A,B,C,D\n"
    "1 더하기 1은?,2,1,2,3,4\n"
    "하늘의 색은?,1,파랑,빨강,초록,검정\n";

// The tiny suite: one multiple-choice task over `data_path`, read as `format`.
inline std::string tiny_suite(const std::string& data_path, const std::string& format = "csv",
                              const std::string& extra_task_field = "") {
  return "name: tiny\nversion: 1\nseed: 1\ntasks:\n"
         "  - name: tiny_mc\n    output: multiple_choice\n"
         "    dataset: {format: " +
         format + ", path: " + data_path + "}\n" + extra_task_field +
         "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답：\"\n"
         "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n    metrics: [acc]\n";
}

inline std::string submission_for(const fs::path& checkpoint, const std::string& extra = "") {
  return "team: test\nmodel: tiny\nkind: llm\ncheckpoint: " + checkpoint.string() +
         "\nrunner: native\ndtype: float32\ndevice: cpu\nbatch_size: 4\n" + extra;
}

// One row's folder: a valid suite (tiny.yaml over tiny.csv) and submission (the default model);
// the row's `build` then breaks one file.
struct Case {
  fs::path dir, suite, submission;

  // A checkpoint folder "ckpt" whose files link to the default model's, except `replaced`, which
  // the row writes itself; the submission is pointed at it.
  fs::path checkpoint(std::initializer_list<const char*> replaced) {
    fs::path ckpt = dir / "ckpt";
    fs::create_directories(ckpt);
    for (const char* name :
         {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors", "generation_config.json"}) {
      bool skip = false;
      for (const char* r : replaced) skip = skip || std::strcmp(r, name) == 0;
      fs::path from = default_model_dir() / name;
      if (!skip && fs::exists(from)) fs::create_symlink(from, ckpt / name);
    }
    write_text(submission, submission_for(ckpt));
    return ckpt;
  }
};

inline Case valid_case(const std::string& name) {
  Case c{scratch_dir("bad_input_table/" + name), {}, {}};
  write_text(c.dir / "tiny.csv", kTinyCsv);
  c.suite = c.dir / "tiny.yaml";
  write_text(c.suite, tiny_suite("tiny.csv"));
  c.submission = c.dir / "submission.yaml";
  write_text(c.submission, submission_for(default_model_dir()));
  return c;
}

// A safetensors file: an 8-byte little-endian header length (`claimed_length`, else the
// header's), the header, then `data_bytes` zero bytes.
inline void write_safetensors(const fs::path& path, const std::string& header, size_t data_bytes,
                              uint64_t claimed_length = 0) {
  uint64_t length = claimed_length ? claimed_length : header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[size_t(i)] = char((length >> (8 * i)) & 0xFF);
  write_text(path, bytes + header + std::string(data_bytes, '\0'));
}

// One of the default model's JSON files, parsed (order kept), for a row to edit and write back.
inline nlohmann::ordered_json default_model_json(const char* name) {
  return nlohmann::ordered_json::parse(read_file(default_model_dir() / name));
}

// Every table of a store, every row, and the schema: what "the store is unchanged" compares.
inline std::map<std::string, std::vector<std::string>> dump_store(const fs::path& store) {
  std::map<std::string, std::vector<std::string>> dump;
  dump["(schema)"] = query_rows(store, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
  dump["(user_version)"] = query_rows(store, "PRAGMA user_version");
  for (const std::string& table :
       query_rows(store, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    size_t columns = query_rows(store, "SELECT name FROM pragma_table_info('" + table + "')").size();
    std::string order;
    for (size_t i = 1; i <= columns; ++i) order += (i > 1 ? ", " : "") + std::to_string(i);
    dump[table] = query_rows(store, "SELECT * FROM \"" + table + "\" ORDER BY " + order);
  }
  return dump;
}

// A store holding one complete run of the tiny suite, copied fresh for every row. Each test
// process builds its own: ctest runs the test cases side by side.
inline fs::path baseline_store() {
  static fs::path baseline;
  if (baseline.empty()) {
    fs::path base = scratch_dir("bad_input_table_baseline_" + std::to_string(::getpid()));
    write_text(base / "tiny.csv", kTinyCsv);
    write_text(base / "tiny.yaml", tiny_suite("tiny.csv"));
    write_text(base / "submission.yaml", submission_for(default_model_dir()));
    CommandResult run = run_dokpa(run_args(base / "tiny.yaml", base / "submission.yaml", base / "baseline.db"));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    baseline = base / "baseline.db";
  }
  return baseline;
}

struct Row {
  std::string name;
  std::string breaks;  // which file the row breaks, and how
  std::function<void(Case&)> build;
  // The exact error line; "{dir}" stands for the row's folder.
  std::string expected;
  bool data_check = false;  // also `dokpa data check <suite>`, with the same error
};

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The lines of dokpa's output that report an error: its own, and those of a crash.
inline std::vector<std::string> error_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("dokpa: error:", 0) == 0 || line.find("terminate called") != std::string::npos ||
        line.find("what():") != std::string::npos)
      lines.push_back(line);
  }
  return lines;
}

// Runs one row: builds its input, runs dokpa on a copy of the baseline store, checks the exit
// status, the one error line and the store.
inline void check_row(const Row& row) {
  INFO("case " << row.name << ": " << row.breaks);
  Case c = valid_case(row.name);
  row.build(c);
  const std::string expected = replace_all(row.expected, "{dir}", c.dir.string());

  fs::path store = c.dir / "store.db";
  fs::copy_file(baseline_store(), store, fs::copy_options::overwrite_existing);
  const auto before = dump_store(store);
  CommandResult run = run_dokpa(run_args(c.suite, c.submission, store));
  INFO("dokpa run output:\n" << run.output);
  CHECK(run.exit_code != 0);
  CHECK(error_lines(run.output) == std::vector<std::string>{expected});
  CHECK(dump_store(store) == before);

  if (row.data_check) {
    CommandResult check = run_dokpa("data check " + shell_quote(c.suite.string()));
    INFO("dokpa data check output:\n" << check.output);
    CHECK(check.exit_code != 0);
    CHECK(error_lines(check.output) == std::vector<std::string>{expected});
  }
}

}  // namespace dokpa::test::bad_input
