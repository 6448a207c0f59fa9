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
//       output: multiple_choice     # required: multiple_choice | generate | generate_choice
//       dataset: {format: csv, path: kmmlu/x-test.csv, sha256: <64 hex, optional>}
//                                   # format: csv | jsonl | json | parquet (json: an array of objects, or
//                                   # {"<key>": [...]}). A pinned sha256 is checked when the
//                                   # plan is built. Item ids: the `id` field, else the row index.
//                                   # path: relative to the data root and inside it ("a/../b" is
//                                   # fine, "../b" and "/b" are not); a symlink under the root
//                                   # must lead to a file inside it (resolve_data_path)
//       preprocess: kobest_copa     # optional: a C++ record preprocessor from suites/ (derives
//                                   # fields where a template cannot, e.g. lm-eval's Python
//                                   # doc_to_text functions); applied to items and shots alike
//       fewshot:                    # optional; count 0 (the default) means zero-shot
//         count: 5
//         source: {format: csv, path: kmmlu/x-dev.csv}   # optional; default: the dataset itself
//                                   # (then the item itself is never its own shot)
//         sampler: first_n          # first_n (default): the first rows in file order;
//                                   # seeded: distinct rows drawn by FewShotSampler (splitmix64
//                                   # seeded from sha256(seed, task, item id));
//                                   # lm_eval_random: lm-eval's default sampler, CPython's
//                                   # random.Random(seed).sample per task in item order
//         prompt: "...{{@gold}}\n\n"  # optional template for the shots (default: the task's
//                                   # prompt); {{@gold}} is the shot's answer (gold choice text,
//                                   # gold label or reference answer)
//         target: true              # false: a shot is its prompt alone, with no target and no
//                                   # delimiters (lm-eval, when a shot's target renders empty)
//       prompt: "{{question|trim}}\nA. {{A}}\n정답："    # required template: {{field}},
//                                   # {{field|trim}}, {{field|upper}} (filters chain left to right)
//       choices: [A, B, C, D]       # multiple_choice: a list of templates (a literal like "A" is a
//                                   # template without fields; "{{ending_1}}" reads a field) ...
//       choices_field: options      # ... or a field holding a list of strings; exactly one of the two
//       labels: [A, B, C, D]        # generate_choice (required): the option labels the model
//                                   # answers with; the answer is extracted from the response
//       option_fields: [A, B, C, D] # generate_choice, optional: the fields holding the option
//                                   # texts the prompt shows, in label order; needed for circular
//       circular: false             # generate_choice: also run every rotation of the options (the
//                                   # option_fields' values rotated); circular_exact_match counts
//                                   # an item only if every rotation is answered correctly
//       gold: {field: answer, base: 1}   # multiple_choice / generate_choice: gold index = integer
//                                   # value - base (base defaults to 0), or {field, match: choices}:
//                                   # the value is the text of a choice (label), or
//                                   # {field, match_field: options}: the value equals an element of
//                                   # that list field, or {field, values: [a, b, c]}: the value
//                                   # is one of these, in choice order (after NFC and strip);
//                                   # generate: {field: answer}, the reference text
//       answer: {extract: boxed, compare: numeric}  # generate, optional: extract none (default) |
//                                   # boxed (the last \boxed{...}, after reasoning blocks are
//                                   # stripped); compare exact (NFC + strip, default) | numeric
//       target_delimiter: " "       # optional, default " " (lm-eval): between a prompt and its answer
//       fewshot_delimiter: "\n\n"   # optional, default "\n\n" (lm-eval): after each shot
//       generation: {until: ["\n"], max_tokens: 32}   # generate(_choice); defaults: until [], max_tokens 256
//       prompt_format: raw          # optional: pins raw | chat | chat_multiturn for this task
//                                   # (harness/suite/prompt_format.h); default: the submission's
//       metrics: [acc, acc_norm]    # multiple_choice: acc, acc_norm, macro_f1 (default [acc]);
//                                   # generate, generate_choice: exact_match (the default), and
//                                   # circular_exact_match for circular tasks
//   groups:                         # optional: named averages over tasks, both kinds named
//     - name: kmmlu_stem            # must not be a task's name
//       tasks: [kmmlu_biology, ...] # tasks of this suite
//       metrics: [acc]              # optional, default [acc]
//       averaging: [macro, micro]   # optional, default both: macro = mean of task means (KMMLU
//                                   # paper), micro = mean over all items (lm-eval groups)
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/data/dataset.h"
#include "harness/plan/plan.h"
#include "harness/prompt/fewshot_sampler.h"
#include "harness/suite/prompt_format.h"

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
  std::string prompt;  // template for shots; empty: the task's prompt
  bool target = true;  // false: a shot is its rendered prompt alone (lm-eval's empty shot target)
};

struct GoldConfig {
  enum class Kind { Index, ChoiceText, ListElement, ValueList };
  std::string field;
  Kind kind = Kind::Index;
  int64_t base = 0;  // Index
  std::string match_field;  // ListElement: the list field the value is looked up in
  std::vector<std::string> values;  // ValueList: the value of each choice, in choice order
};

struct AnswerConfig {
  AnswerExtract extract = AnswerExtract::None;
  AnswerCompare compare = AnswerCompare::Exact;
};

struct GenerationConfig {
  std::vector<std::string> until;
  int max_tokens = 256;
};

struct TaskConfig {
  std::string name;
  OutputType output = OutputType::MultipleChoice;
  DataSource dataset;
  std::string preprocess;  // a registered record preprocessor, or empty
  FewShotConfig fewshot;
  std::string prompt;  // template text
  std::vector<std::string> choices;  // templates; empty when choices_field is used
  std::string choices_field;
  std::vector<std::string> labels;  // generate_choice
  std::vector<std::string> option_fields;  // generate_choice, optional
  bool circular = false;  // generate_choice
  GoldConfig gold;
  AnswerConfig answer;  // generate
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  GenerationConfig generation;  // generate and generate_choice
  std::vector<std::string> metrics;
  std::optional<PromptFormat> prompt_format;  // pinned by the task; else the submission's
};

struct SuiteConfig {
  std::string source;  // the file it was loaded from, for error messages
  std::string name;
  int64_t version = 0;
  uint64_t seed = 0;
  std::string description;
  std::filesystem::path data_root;  // absolute or relative to the working directory
  std::vector<TaskConfig> tasks;
  std::vector<PlannedGroup> groups;
  std::string hash;  // sha256 of canonical_suite_json(*this)
};

// Reads and validates a suite file; data_root defaults to the file's folder (or the suite's
// data_root key, relative to it). Throws dokpa::Error naming the file.
SuiteConfig load_suite(const std::filesystem::path& file);

// Validates suite YAML text; `source` names it in errors, `base_dir` anchors data_root.
SuiteConfig parse_suite(std::string_view yaml_text, const std::string& source,
                        const std::filesystem::path& base_dir);

// Where a data file of `task` is: `source.path` under `data_root` (empty: the suite's), lexically
// normal. parse_suite already refused absolute paths and paths that climb out with "..". Symlinks:
// the data root itself may be (or lie under) one, but a file that exists must really be inside
// the root once every symlink is followed, because a data file's text becomes prompts that are
// stored and may be sent to a server. A file that does not exist is returned as is (its reader
// reports it). Throws dokpa::Error naming the suite file and the task.
std::filesystem::path resolve_data_path(const SuiteConfig& suite, const std::filesystem::path& data_root,
                                        const std::string& task, const DataSource& source);

// The canonical form that is hashed and stored (see the comment at the top).
std::string canonical_suite_json(const SuiteConfig& suite);

}  // namespace dokpa
