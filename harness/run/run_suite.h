#pragma once
// `dokpa run`: a suite over one submission into the store, as a short sequence of named steps
// (DESIGN.md, "Data flow"): plan -> open runner -> record submission, suite and run -> execute
// pending requests chunk by chunk -> score -> finish. Everything that can reject the inputs
// (suite, data, manifest, checkpoint) runs before the first write to the store.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/plan/plan.h"

namespace dokpa {

// `--shard i/N`: this process runs chunk c of the plan when c mod N = i - 1 (see run_suite.cpp).
struct ShardSpec {
  int index = 1;  // 1..count
  int count = 1;
  bool owns(size_t chunk) const { return chunk % static_cast<size_t>(count) == static_cast<size_t>(index - 1); }
};

// Parses "i/N" (1 <= i <= N <= 4096); throws dokpa::Error naming --shard.
ShardSpec parse_shard(const std::string& text);

struct RunSettings {
  std::filesystem::path suite_file;
  std::filesystem::path submission_file;
  std::filesystem::path store_file;
  std::optional<std::filesystem::path> data_root;  // default: the suite's folder
  // Run data files whose sha256 differs from the suite's pin (their real sha256 is recorded and
  // is part of the run key); by default such a run is refused before anything is written.
  bool allow_changed_data = false;
  std::vector<std::string> only_tasks;  // PlanOptions::only_tasks
  int generation_cap = 0;  // PlanOptions::generation_cap
  // Overrides of the manifest's runner settings (they are part of the run key).
  std::optional<int> batch_size;
  std::optional<int> threads;
  std::optional<std::string> device;
  std::optional<std::string> dtype;
  // Items per runner call. Chunks are fixed slices of each task, so an interrupted run that
  // resumes feeds the runner exactly the batches an uninterrupted run would. 0: the runner's
  // preferred size (8 for the native runner, the requests in flight for a server).
  int chunk_items = 0;
  ShardSpec shard;  // not part of the run key: the shards of one run share it
  bool progress_on_terminal = false;
};

struct RunOutcome {
  int64_t run_id = 0;
  std::string run_key;
  bool resumed = false;
  size_t requests_total = 0;
  size_t requests_executed = 0;  // by this invocation (0 when everything was stored already)
  bool complete = true;  // false: a shard finished, other shards' results are still missing
};

RunOutcome run_suite(const RunSettings& settings, std::ostream& log);

// The plan `dokpa run` builds for these settings (suite, submission's prompt format, data
// root, tasks, generation cap), without opening a runner or the store.
Plan plan_for(const RunSettings& settings);

}  // namespace dokpa
