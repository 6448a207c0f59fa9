#pragma once
// `dokpa verify --recompute N`: were these results really produced by this checkpoint?
// Re-runs a seeded draw of N stored items (recompute_sample.h) of one run on the submission's
// checkpoint and compares the new results with the stored ones (recompute_compare.h), as short
// named steps: pick the run -> check the checkpoint's sha256 -> open the runner with the run's
// settings -> draw the items -> re-run them chunk by chunk, one line per item -> summary.
// It only reads the store (open it read-only).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/run/recompute_compare.h"
#include "harness/store/result_store.h"

namespace dokpa {

struct RecomputeOptions {
  int64_t run_id = 0;  // 0: the store's only run
  size_t items = 0;    // N: items to draw (>= 1); more than the run has: every item
  uint64_t seed = 0;
  std::optional<std::filesystem::path> checkpoint;  // default: the manifest's checkpoint path
  std::optional<std::string> device;                // default: the device the run recorded
  std::optional<int> threads;                       // default: the manifest's
};

struct RecomputeReport {
  int64_t run_id = 0;
  uint64_t seed = 0;
  size_t items_in_run = 0;  // answered items the draw was over
  size_t requests = 0;      // re-run
  std::string device;       // where they were re-run
  std::string dtype;
  std::vector<ItemCheck> items;  // plan order
  size_t mismatches() const;
};

// Prints a header, one line per item (format_item_check) as each chunk completes, and a summary to
// `out`; notes (setting differences, the runner) to `log`. Throws dokpa::Error for a bad request
// (no such run, nothing to draw, a checkpoint whose sha256 differs, a runner that fails); differing
// items are in the report, not thrown.
RecomputeReport recompute_run(ResultStore& store, const RecomputeOptions& options, std::ostream& out,
                              std::ostream& log);

}  // namespace dokpa
