#include "runners/native/checkpoint/checkpoint_files.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

// Extensions of torch.save / pickle checkpoints; unpickling runs arbitrary code.
bool is_pickled_weights(const fs::path& file) {
  static const std::set<std::string> kPickled = {".bin", ".pt", ".pth", ".ckpt", ".pkl"};
  return kPickled.count(file.extension().string()) > 0;
}

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A shard name from the index must be a file beside the index, never a path elsewhere.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

WeightIndex read_index(const fs::path& dir, const fs::path& index_path) {
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_file(index_path));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(index_path.string(), fmt::format("not valid JSON ({})", e.what()));
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw Error(index_path.string(), "expected a JSON object with a 'weight_map' object");

  WeightIndex out;
  out.index_file = index_path;
  std::set<fs::path> shards;
  for (const auto& [tensor, shard_json] : index["weight_map"].items()) {
    if (!shard_json.is_string())
      throw Error(index_path.string(), fmt::format("weight_map['{}'] must be a file name string", tensor));
    const auto& shard = shard_json.get_ref<const std::string&>();
    if (!is_plain_file_name(shard))
      throw Error(index_path.string(),
                  fmt::format("weight_map['{}'] = '{}' is not a plain file name in the checkpoint folder", tensor, shard));
    fs::path shard_path = dir / shard;
    if (!shards.count(shard_path) && !fs::is_regular_file(shard_path))
      throw Error(index_path.string(),
                  fmt::format("weight_map['{}'] names shard '{}', which does not exist", tensor, shard));
    shards.insert(shard_path);
    out.weight_map.emplace(tensor, shard_path);
  }
  if (out.weight_map.empty()) throw Error(index_path.string(), "weight_map is empty");
  out.shards.assign(shards.begin(), shards.end());
  return out;
}

}  // namespace

WeightIndex locate_weights(const fs::path& checkpoint_dir) {
  std::error_code ec;
  if (!fs::is_directory(checkpoint_dir, ec))
    throw Error(checkpoint_dir.string(), "checkpoint folder not found");
  if (fs::is_regular_file(checkpoint_dir / kSingleFile)) return WeightIndex{std::nullopt, {checkpoint_dir / kSingleFile}, {}};
  if (fs::is_regular_file(checkpoint_dir / kIndexFile)) return read_index(checkpoint_dir, checkpoint_dir / kIndexFile);

  std::vector<fs::path> files = sorted_files(checkpoint_dir);
  for (const auto& file : files)
    if (is_pickled_weights(file))
      throw Error(file.string(),
                  "pickled checkpoints are refused because loading them can execute code; convert the weights "
                  "to safetensors");
  for (const auto& file : files)
    if (file.extension() == ".safetensors")
      throw Error(checkpoint_dir.string(), fmt::format("found '{}' but neither {} nor {}",
                                                       file.filename().string(), kSingleFile, kIndexFile));
  throw Error(checkpoint_dir.string(), fmt::format("no weights: expected {} or {}", kSingleFile, kIndexFile));
}

WeightSource WeightSource::open(const fs::path& checkpoint_dir) {
  WeightIndex index = locate_weights(checkpoint_dir);
  WeightSource out;
  out.directory_ = checkpoint_dir;
  out.index_file_ = index.index_file;
  out.shards_.reserve(index.shards.size());
  for (const auto& shard_path : index.shards) out.shards_.push_back(SafetensorsFile::open(shard_path));

  for (const auto& shard : out.shards_) {
    for (const auto& tensor : shard.tensors()) {
      bool inserted = out.by_name_.emplace(tensor.name, &tensor).second;
      if (!inserted) {
        const SafetensorsFile* first = &out.shards_.front();
        while (!first->find(tensor.name)) ++first;  // an earlier shard holds it
        throw Error(shard.path().string(), fmt::format("tensor '{}' is also in shard '{}'", tensor.name,
                                                       first->path().filename().string()));
      }
      if (index.index_file) {
        auto mapped = index.weight_map.find(tensor.name);
        if (mapped == index.weight_map.end())
          throw Error(shard.path().string(), fmt::format("tensor '{}' is not in the weight_map of {}", tensor.name,
                                                         index.index_file->filename().string()));
        if (mapped->second != shard.path())
          throw Error(index.index_file->string(),
                      fmt::format("weight_map puts tensor '{}' in '{}' but it is in '{}'", tensor.name,
                                  mapped->second.filename().string(), shard.path().filename().string()));
      }
    }
  }
  for (const auto& [tensor, shard_path] : index.weight_map)
    if (!out.by_name_.count(tensor))
      throw Error(index.index_file->string(), fmt::format("weight_map puts tensor '{}' in '{}', which has no such tensor",
                                                          tensor, shard_path.filename().string()));
  return out;
}

const TensorView* WeightSource::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const TensorView& WeightSource::at(std::string_view name) const {
  if (const TensorView* view = find(name)) return *view;
  throw Error(directory_.string(), fmt::format("checkpoint has no tensor '{}'", name));
}

std::vector<std::string> WeightSource::names() const {
  std::vector<std::string> out;
  out.reserve(by_name_.size());
  for (const auto& entry : by_name_) out.push_back(entry.first);
  return out;
}

int64_t WeightSource::parameter_count() const {
  int64_t total = 0;
  for (const auto& entry : by_name_) total += entry.second->numel();
  return total;
}

std::vector<fs::path> WeightSource::files() const {
  std::vector<fs::path> out;
  if (index_file_) out.push_back(*index_file_);
  for (const auto& shard : shards_) out.push_back(shard.path());
  return out;
}

}  // namespace dokpa
