#pragma once
// `dokpa merge`: the stores of the shards of one run (`dokpa run --shard i/N`) into one store,
// then the run scored there exactly as an unsharded run would be.
#include <filesystem>
#include <ostream>
#include <vector>

#include "harness/run/run_suite.h"

namespace dokpa {

struct MergeSettings {
  RunSettings run;  // suite, submission, data root, tasks, generation cap: to rebuild the plan
  std::filesystem::path into;  // the merged store (created if missing)
  std::vector<std::filesystem::path> shards;
};

struct MergedRun {
  int64_t run_id = 0;  // in the merged store
  std::string run_key;
  size_t results_added = 0;
};

// Finds in every shard store the run of this plan (by its plan hash); all must share one run
// key, or the merge is refused before anything is written. Copies each shard's run in, checks
// that every planned request has a result, scores and completes the run. Throws dokpa::Error
// naming the store at fault; what was merged stays merged (consistent, re-runnable).
MergedRun merge_shards(const MergeSettings& settings, std::ostream& log);

}  // namespace dokpa
