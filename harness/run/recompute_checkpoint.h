#pragma once
// `dokpa verify --recompute`: are these the checkpoint files the run evaluated?
#include <filesystem>
#include <string>

#include "harness/store/result_store.h"

namespace dokpa {

// Re-hashes every file of `dir` (provenance.h: list_checkpoint_files, hash_files,
// checkpoint_sha256) and returns the checkpoint sha256 when it equals `stored`'s. Otherwise
// throws dokpa::Error naming `dir`, with both hashes and the files that differ, are missing or
// were added (`run` names the run in the store `store_name`).
std::string check_checkpoint(const std::filesystem::path& dir, const SubmissionRecord& stored,
                             const std::string& store_name, int64_t run);

}  // namespace dokpa
