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

namespace dokpa {

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
  // Items per committed chunk. Chunks are fixed slices of each task, so an interrupted run that
  // resumes feeds the runner exactly the batches an uninterrupted run would.
  int chunk_items = 8;
  bool progress_on_terminal = false;
};

struct RunOutcome {
  int64_t run_id = 0;
  std::string run_key;
  bool resumed = false;
  size_t requests_total = 0;
  size_t requests_executed = 0;  // by this invocation (0 when everything was stored already)
};

RunOutcome run_suite(const RunSettings& settings, std::ostream& log);

}  // namespace dokpa
