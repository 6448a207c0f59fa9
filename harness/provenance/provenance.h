#pragma once
// Run provenance (DESIGN.md, "Determinism and reproducibility rules"): what exactly was run,
// on what, by which dokpa, stored as JSON with every run. And the run key: the identity of a
// run, so re-running the same thing resumes it or is a no-op.
//
// No libtorch here: runner versions, device and settings arrive through RunnerInfo.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "runners/runner.h"

namespace dokpa {

struct FileDigest {
  std::string path;  // as reported: relative to the root it was hashed under
  std::string sha256;
  uint64_t bytes = 0;
};

// The files of a Hugging Face checkpoint folder: every regular file below `dir`, relative,
// sorted bytewise. Entries whose name starts with '.' (e.g. .cache/ and .gitattributes left
// by downloads) are skipped: they are not part of the model and change between copies.
std::vector<std::filesystem::path> list_checkpoint_files(const std::filesystem::path& dir);

// sha256 of each file (streamed: multi-gigabyte shards need no memory), in the given order.
// `files` are relative to `root` (or absolute, with an empty root). Throws dokpa::Error
// naming a missing or unreadable file.
std::vector<FileDigest> hash_files(const std::filesystem::path& root, std::span<const std::filesystem::path> files);

// The checkpoint's identity: sha256 over add_field(path), add_field(sha256) of each file in
// the given (sorted) order. A renamed, added, removed or changed file changes it.
std::string checkpoint_sha256(std::span<const FileDigest> files);

// The dokpa version: `git describe --always --dirty` of the source tree at build time.
const char* dokpa_version();

// Canonical JSON (sorted keys, compact) of what a runner does that can change a result:
// {"device", "dtype", "runner", "settings"}. Part of the run key.
std::string runner_settings_json(const RunnerInfo& runner);

struct ProvenanceInputs {
  std::vector<FileDigest> checkpoint_files;  // from hash_files(), in list order
  std::vector<FileDigest> data_files;        // in suite order
  std::string suite_name;
  std::string suite_hash;
  RunnerInfo runner;
  int threads = 0;  // harness/runner threads actually used
  uint64_t seed = 0;
  // The plan (plan_hash.h): covers what the suite, data and seed do not, e.g. a task subset or
  // a generation cap chosen on the command line.
  std::string plan_hash;
};

// The provenance document stored with a run:
//   {"format": 1, "dokpa_version", "suite": {name, hash},
//    "checkpoint": {"sha256", "files": [{path, sha256, bytes}]}, "data_files": [...],
//    "runner": {runner, architecture, parameters, dtype, device, tokenizer, versions, settings},
//    "host": {hostname, cpu_model, logical_cores, os, compiler}, "threads", "seed", "run_key"}
// No timestamps: two runs of the same thing on the same host give the same document.
nlohmann::json collect_provenance(const ProvenanceInputs& inputs);

struct RunKeyInputs {
  std::string checkpoint_sha256;
  std::string suite_hash;
  std::vector<std::string> data_sha256;  // in suite order
  std::string runner_settings_json;      // runner_settings_json(info)
  uint64_t seed = 0;
  std::string plan_hash;                 // Plan::hash
};

// The run key: sha256 over, with Sha256::add_field (length-prefixed, so fields never run
// together), in this order:
//   "dokpa-run-key-v2", checkpoint_sha256, suite_hash, the number of data files, each data
//   file's sha256 in suite order, runner_settings_json, seed (decimal), plan_hash.
// Paths and host details are deliberately not in it: moving the data or resuming on an
// identical device resumes the same run. Changing any listed input gives a new run.
std::string run_key(const RunKeyInputs& inputs);

}  // namespace dokpa
