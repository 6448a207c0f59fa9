#include "harness/run/recompute_checkpoint.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "common/error.h"
#include "harness/provenance/provenance.h"

namespace dokpa {

namespace {

// What differs between the files here and the stored ones, at most `limit` entries.
std::vector<std::string> file_differences(const std::vector<FileDigest>& here, const SubmissionRecord& stored,
                                          size_t limit) {
  std::map<std::string, std::string> now;
  for (const FileDigest& f : here) now[f.path] = f.sha256;
  std::vector<std::string> out;
  for (const CheckpointFileRecord& f : stored.files) {
    auto it = now.find(f.path);
    if (it == now.end())
      out.push_back(f.path + " is missing");
    else if (it->second != f.sha256)
      out.push_back(fmt::format("{} has sha256 {}, the run's has {}", f.path, it->second, f.sha256));
    if (it != now.end()) now.erase(it);
  }
  for (const auto& [path, sha] : now) out.push_back(path + " is not in the run's checkpoint");
  if (out.size() > limit) {
    size_t more = out.size() - limit;
    out.resize(limit);
    out.push_back(fmt::format("{} more", more));
  }
  return out;
}

}  // namespace

std::string check_checkpoint(const std::filesystem::path& dir, const SubmissionRecord& stored,
                             const std::string& store_name, int64_t run) {
  std::vector<FileDigest> files = hash_files(dir, list_checkpoint_files(dir));
  std::string sha = checkpoint_sha256(files);
  if (sha == stored.checkpoint_sha256) return sha;
  std::string detail;
  for (const std::string& d : file_differences(files, stored, 8)) detail += (detail.empty() ? "" : "; ") + d;
  if (detail.empty()) detail = "the file list is the same; the store's checkpoint_files do not match its hash";
  throw Error(dir.string(), fmt::format("checkpoint sha256 {} differs from {}, the checkpoint of run {} in {} ({}): "
                                        "these are not the files that run evaluated; nothing was recomputed",
                                        sha, stored.checkpoint_sha256, run, store_name, detail));
}

}  // namespace dokpa
