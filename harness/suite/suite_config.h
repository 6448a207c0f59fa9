#pragma once
// Suite YAML: the tasks of an evaluation, as data (suites/README.md has the same text).
//
//   name: smoke                     # required; [A-Za-z0-9_.-]+
//   version: 1                      # required; the suite author's version (integer >= 0)
//   seed: 1234                      # required; few-shot sampling seed (unsigned 64-bit)
//   description: "..."              # optional, free text (hashed)
//   data_root: ../suites/fixtures   # optional; where data paths resolve, relative to this file
//                                   # (default: this file's folder). Not hashed: it is where
//                                   # the data lives, not what it is (data sha256s are recorded).
//   tasks:                          # required, non-empty, run in this order; names unique
//     - name: kmmlu_fixture         # required; [A-Za-z0-9_.-]+
//       output: multiple_choice     # required: multiple_choice | generate
//       dataset: {format: csv, path: kmmlu/x-test.csv, sha256: <64 hex, optional>}
//                                   # format: csv | jsonl. A pinned sha256 is checked when the
//                                   # plan is built. Item ids: the `id` field, else the row index.
//       fewshot:                    # optional; count 0 (the default) means zero-shot
//         count: 5
//         source: {format: csv, path: kmmlu/x-dev.csv}   # optional; default: the dataset itself
//                                   # (then the item itself is never its own shot)
//         sampler: first_n          # first_n (default): the first rows in file order;
//                                   # seeded: distinct rows drawn by FewShotSampler (splitmix64
//                                   # seeded from sha256(seed, task, item id))
//       prompt: "{{question|trim}}\nA. {{A}}\n정답："    # required template: {{field}},
//                                   # {{field|trim}}, {{field|upper}} (filters chain left to right)
//       choices: [A, B, C, D]       # multiple_choice: a list of templates (a literal like "A" is a
//                                   # template without fields; "{{ending_1}}" reads a field) ...
//       choices_field: options      # ... or a field holding a list of strings; exactly one of the two
//       gold: {field: answer, base: 1}   # multiple_choice: gold index = integer value - base
//                                   # (base defaults to 0); generate: {field: answer}, the reference text
//       target_delimiter: " "       # optional, default " " (lm-eval): between a prompt and its answer
//       fewshot_delimiter: "\n\n"   # optional, default "\n\n" (lm-eval): after each shot
//       generation: {until: ["\n"], max_tokens: 32}   # generate only; defaults: until [], max_tokens 256
//       metrics: [acc, acc_norm]    # multiple_choice: acc, acc_norm (default [acc]);
//                                   # generate: exact_match (default [exact_match])
//
// Every key is checked: an unknown or misplaced key, a missing required key or a wrong type is an
// error naming the file, the task and the field, e.g.
//   "smoke.yaml: task 'kobest_boolq_fixture': unknown field 'promt' (line 14)".
//
// The suite hash is sha256 of canonical_suite_json(): the parsed suite with defaults filled in,
// as JSON with sorted keys and no insignificant whitespace, so comments and formatting do not
// change it but any change in meaning does.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/data/dataset.h"
#include "harness/plan/plan.h"
#include "harness/prompt/fewshot_sampler.h"

namespace dokpa {

struct DataSource {
  DataFormat format = DataFormat::Csv;
  std::string path;  // as written, relative to the data root
  std::string sha256;  // lower-case hex pin, or empty
};

struct FewShotConfig {
  int count = 0;
  bool has_source = false;  // false: shots come from the task's own dataset
  DataSource source;
  FewShotSamplerKind sampler = FewShotSamplerKind::FirstN;
};

struct GoldConfig {
  std::string field;
  int64_t base = 0;  // multiple_choice only
};

struct GenerationConfig {
  std::vector<std::string> until;
  int max_tokens = 256;
};

struct TaskConfig {
  std::string name;
  OutputType output = OutputType::MultipleChoice;
  DataSource dataset;
  FewShotConfig fewshot;
  std::string prompt;  // template text
  std::vector<std::string> choices;  // templates; empty when choices_field is used
  std::string choices_field;
  GoldConfig gold;
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  GenerationConfig generation;  // generate only
  std::vector<std::string> metrics;
};

struct SuiteConfig {
  std::string source;  // the file it was loaded from, for error messages
  std::string name;
  int64_t version = 0;
  uint64_t seed = 0;
  std::string description;
  std::filesystem::path data_root;  // absolute or relative to the working directory
  std::vector<TaskConfig> tasks;
  std::string hash;  // sha256 of canonical_suite_json(*this)
};

// Reads and validates a suite file; data_root defaults to the file's folder (or the suite's
// data_root key, relative to it). Throws dokpa::Error naming the file.
SuiteConfig load_suite(const std::filesystem::path& file);

// Validates suite YAML text; `source` names it in errors, `base_dir` anchors data_root.
SuiteConfig parse_suite(std::string_view yaml_text, const std::string& source,
                        const std::filesystem::path& base_dir);

// The canonical form that is hashed and stored (see the comment at the top).
std::string canonical_suite_json(const SuiteConfig& suite);

}  // namespace dokpa
