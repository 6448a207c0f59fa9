#pragma once
// The plan: a suite expanded over its data into ordered requests with stable ids and prompt
// hashes. A pure function of (suite, data, seed): the same inputs give byte-identical plans.
#include <cstdint>
#include <string>
#include <vector>
#include <utility>

namespace dokpa {

// Output types are an enum, each with its own builder and scorer (no string branching).
// A task's type is one of the three; a request's type is MultipleChoice (a log-likelihood) or
// Generate (GenerateChoice tasks send Generate requests and extract an option label from the text).
enum class OutputType { MultipleChoice, Generate, GenerateChoice };

const char* to_string(OutputType type);

// One call to the runner. For MultipleChoice, one request per choice (request_index = choice
// index), scored by loglikelihood(context, continuation). For Generate, one request per item;
// for GenerateChoice one per item, or in circular mode one per rotation (request_index = r).
struct PlannedRequest {
  std::string task;
  std::string item_id;
  int request_index = 0;
  OutputType type = OutputType::MultipleChoice;
  std::string context;  // MultipleChoice
  std::string continuation;  // MultipleChoice: target delimiter + choice text
  std::string prompt;  // Generate
  // Generate in a chat format: the (role, content) messages `prompt` was rendered from, for a
  // server's chat endpoint. Not hashed: `prompt` is their rendering, and the template is in the run key.
  std::vector<std::pair<std::string, std::string>> messages;
  std::vector<std::string> stop;  // Generate
  int max_tokens = 0;  // Generate
  std::string prompt_hash;  // sha256 of the canonical request (type, context/continuation or prompt, stop, max_tokens)
};

// One scored item: where its requests are in Plan::requests and what counts as correct.
struct PlannedItem {
  std::string task;
  std::string item_id;
  // MultipleChoice: choice texts (no delimiter), for acc_norm. GenerateChoice: the option labels
  // the model answers with (A, B, ...).
  std::vector<std::string> choices;
  // MultipleChoice, GenerateChoice: index of the gold choice. In circular mode this is the gold
  // of rotation 0; rotation r shows original option (i + r) mod n at position i, so its gold
  // position is (gold_index - r) mod n (see rotated_gold()).
  int gold_index = -1;
  std::string gold_text;  // Generate: reference answer
  size_t first_request = 0;
  size_t request_count = 0;
};

// How a Generate task's response is compared with its reference answer.
enum class AnswerExtract { None, Boxed };  // Boxed: the last \boxed{...} of the response
enum class AnswerCompare { Exact, Numeric };  // Numeric: HRM8K-style numeric normalisation

struct PlannedTask {
  std::string name;
  OutputType type = OutputType::MultipleChoice;
  std::vector<std::string> metrics;  // e.g. acc, acc_norm, macro_f1, exact_match
  AnswerExtract extract = AnswerExtract::None;  // Generate
  AnswerCompare compare = AnswerCompare::Exact;  // Generate
  bool circular = false;  // GenerateChoice: one request per rotation of the options
  std::vector<PlannedItem> items;
};

// A named average over tasks (suite `groups:`), e.g. KMMLU's super-categories.
struct PlannedGroup {
  std::string name;
  std::vector<std::string> tasks;  // suite order
  std::vector<std::string> metrics;
  bool macro = true;  // the mean of task means
  bool micro = true;  // the mean over all items of the tasks
};

// The gold position of rotation `rotation` of an item with `options` options (see PlannedItem).
inline int rotated_gold(int gold_index, int rotation, int options) {
  return ((gold_index - rotation) % options + options) % options;
}

// Provenance of one data file the plan read (DESIGN.md: sha256 of every data file).
struct PlannedDataFile {
  std::string task;
  std::string role;  // "dataset" or "fewshot"
  std::string path;  // as written in the suite, relative to the data root
  std::string resolved_path;  // where it was read
  std::string sha256;  // of the file's bytes
  uint64_t bytes = 0;
  std::string pinned_sha256;  // what the suite pins, or empty; differs from sha256 only when
                              // the plan was built with PlanOptions::allow_changed_data
};

struct Plan {
  std::string suite_name;
  std::string suite_hash;  // sha256 of the canonical suite YAML
  uint64_t seed = 0;
  std::vector<PlannedTask> tasks;  // suite order
  std::vector<PlannedGroup> groups;  // suite order
  std::vector<PlannedRequest> requests;  // plan order: task by task, item by item, request by request
  std::string hash;  // see plan_hash.h: ids, gold answers and every prompt_hash, in order
  std::vector<PlannedDataFile> data_files;  // one per (task, role), suite order
};

}  // namespace dokpa
