#pragma once
// The plan: a suite expanded over its data into ordered requests with stable ids and prompt
// hashes. A pure function of (suite, data, seed): the same inputs give byte-identical plans.
#include <cstdint>
#include <string>
#include <vector>

namespace dokpa {

// Output types are an enum, each with its own builder and scorer (no string branching).
enum class OutputType { MultipleChoice, Generate };

const char* to_string(OutputType type);

// One call to the runner. For MultipleChoice, one request per choice (request_index = choice
// index), scored by loglikelihood(context, continuation). For Generate, one request per item.
struct PlannedRequest {
  std::string task;
  std::string item_id;
  int request_index = 0;
  OutputType type = OutputType::MultipleChoice;
  std::string context;  // MultipleChoice
  std::string continuation;  // MultipleChoice: target delimiter + choice text
  std::string prompt;  // Generate
  std::vector<std::string> stop;  // Generate
  int max_tokens = 0;  // Generate
  std::string prompt_hash;  // sha256 of the canonical request (type, context/continuation or prompt, stop, max_tokens)
};

// One scored item: where its requests are in Plan::requests and what counts as correct.
struct PlannedItem {
  std::string task;
  std::string item_id;
  std::vector<std::string> choices;  // MultipleChoice: choice texts (no delimiter), for acc_norm
  int gold_index = -1;  // MultipleChoice
  std::string gold_text;  // Generate: reference answer
  size_t first_request = 0;
  size_t request_count = 0;
};

struct PlannedTask {
  std::string name;
  OutputType type = OutputType::MultipleChoice;
  std::vector<std::string> metrics;  // e.g. acc, acc_norm, exact_match
  std::vector<PlannedItem> items;
};

// Provenance of one data file the plan read (DESIGN.md: sha256 of every data file).
struct PlannedDataFile {
  std::string task;
  std::string role;  // "dataset" or "fewshot"
  std::string path;  // as written in the suite, relative to the data root
  std::string resolved_path;  // where it was read
  std::string sha256;  // of the file's bytes
  uint64_t bytes = 0;
};

struct Plan {
  std::string suite_name;
  std::string suite_hash;  // sha256 of the canonical suite YAML
  uint64_t seed = 0;
  std::vector<PlannedTask> tasks;  // suite order
  std::vector<PlannedRequest> requests;  // plan order: task by task, item by item, request by request
  std::string hash;  // see plan_hash.h: ids, gold answers and every prompt_hash, in order
  std::vector<PlannedDataFile> data_files;  // one per (task, role), suite order
};

}  // namespace dokpa
