#include "harness/provenance/provenance.h"

#include <algorithm>

#include "common/error.h"
#include "common/sha256.h"
#include "harness/provenance/host_info.h"
#include "harness/provenance/version.h"

namespace dokpa {

namespace {

nlohmann::json files_json(std::span<const FileDigest> files) {
  nlohmann::json list = nlohmann::json::array();
  for (const FileDigest& file : files)
    list.push_back({{"path", file.path}, {"sha256", file.sha256}, {"bytes", file.bytes}});
  return list;
}

bool hidden(const std::filesystem::path& relative) {
  return std::any_of(relative.begin(), relative.end(),
                     [](const std::filesystem::path& part) { return !part.empty() && part.native().front() == '.'; });
}

}  // namespace

const char* dokpa_version() { return DOKPA_GIT_VERSION; }

std::vector<std::filesystem::path> list_checkpoint_files(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error))
    throw Error(dir.string(), "checkpoint folder does not exist or is not a folder");
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir); it != std::filesystem::end(it); ++it) {
    // Lexically: relative() resolves symlinks, and a linked file (a Hugging Face cache snapshot
    // links every file to a blob) would come out as "../..", i.e. hidden, and go unhashed.
    std::filesystem::path relative = it->path().lexically_relative(dir);
    if (hidden(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(relative);
  }
  // Bytewise order of the generic form: the same on every filesystem and locale.
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.generic_string() < b.generic_string(); });
  return files;
}

std::vector<FileDigest> hash_files(const std::filesystem::path& root, std::span<const std::filesystem::path> files) {
  std::vector<FileDigest> digests;
  digests.reserve(files.size());
  for (const std::filesystem::path& file : files) {
    std::filesystem::path full = root.empty() ? file : root / file;
    std::error_code error;
    uintmax_t bytes = std::filesystem::file_size(full, error);
    if (error) throw Error(full.string(), "cannot read file size: " + error.message());
    digests.push_back({file.generic_string(), sha256_file_hex(full), static_cast<uint64_t>(bytes)});
  }
  return digests;
}

std::string checkpoint_sha256(std::span<const FileDigest> files) {
  Sha256 hash;
  for (const FileDigest& file : files) {
    hash.add_field(file.path);
    hash.add_field(file.sha256);
  }
  return hash.hex_digest();
}

std::string runner_settings_json(const RunnerInfo& runner) {
  // nlohmann::json objects keep keys sorted, so dump() is canonical.
  nlohmann::json settings = {
      {"runner", runner.runner}, {"dtype", runner.dtype}, {"device", runner.device}, {"settings", runner.settings}};
  return settings.dump();
}

nlohmann::json collect_provenance(const ProvenanceInputs& inputs) {
  provenance_detail::HostInfo host = provenance_detail::host_info();
  std::vector<std::string> data_sha256;
  for (const FileDigest& file : inputs.data_files) data_sha256.push_back(file.sha256);
  std::string checkpoint = checkpoint_sha256(inputs.checkpoint_files);
  const RunnerInfo& runner = inputs.runner;
  return {
      {"format", 1},
      {"dokpa_version", dokpa_version()},
      {"suite", {{"name", inputs.suite_name}, {"hash", inputs.suite_hash}}},
      {"checkpoint", {{"sha256", checkpoint}, {"files", files_json(inputs.checkpoint_files)}}},
      {"data_files", files_json(inputs.data_files)},
      {"runner",
       {{"runner", runner.runner},
        {"architecture", runner.architecture},
        {"parameters", runner.parameters},
        {"dtype", runner.dtype},
        {"device", runner.device},
        {"tokenizer", runner.tokenizer},
        {"versions", runner.versions},
        {"settings", runner.settings}}},
      {"host",
       {{"hostname", host.hostname},
        {"cpu_model", host.cpu_model},
        {"logical_cores", host.logical_cores},
        {"os", host.os},
        {"compiler", DOKPA_COMPILER}}},
      {"threads", inputs.threads},
      {"seed", inputs.seed},
      {"plan_hash", inputs.plan_hash},
      {"run_key", run_key({checkpoint, inputs.suite_hash, data_sha256, runner_settings_json(runner), inputs.seed, inputs.plan_hash})},
  };
}

std::string run_key(const RunKeyInputs& inputs) {
  Sha256 hash;
  hash.add_field("dokpa-run-key-v2");  // bump if the definition changes, so old keys never collide
  hash.add_field(inputs.checkpoint_sha256);
  hash.add_field(inputs.suite_hash);
  hash.add_field(std::to_string(inputs.data_sha256.size()));
  for (const std::string& sha256 : inputs.data_sha256) hash.add_field(sha256);
  hash.add_field(inputs.runner_settings_json);
  hash.add_field(std::to_string(inputs.seed));
  hash.add_field(inputs.plan_hash);
  return hash.hex_digest();
}

}  // namespace dokpa
