#pragma once
// Finding and opening the weights of a checkpoint folder in Hugging Face layout:
// `model.safetensors`, or shards listed in `model.safetensors.index.json`. Pickled weights
// (.bin/.pt/.pth/.ckpt) are refused, because loading them can execute code.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runners/native/checkpoint/safetensors_file.h"

namespace dokpa {

// Where a checkpoint's weights are, before any shard is opened.
struct WeightIndex {
  std::optional<std::filesystem::path> index_file;  // model.safetensors.index.json, if sharded
  std::vector<std::filesystem::path> shards;        // sorted; one entry when not sharded
  std::map<std::string, std::filesystem::path> weight_map;  // tensor -> shard; empty when not sharded
};

// Locates the weights of `checkpoint_dir`. A single model.safetensors wins over an index (as
// in transformers). Throws dokpa::Error naming the file for: no weights, pickled weights only,
// a malformed index, an index shard name that is not a plain file name or does not exist.
// Shard names are names, never paths: no '/', '\\', "." or "..", so an index cannot point
// outside its folder. A file in the folder may be a symlink, followed wherever it leads (the
// Hugging Face hub cache is made of links into its blobs/ folder): the folder's owner made it,
// every byte is validated as safetensors and hashed into the provenance, and none is echoed.
WeightIndex locate_weights(const std::filesystem::path& checkpoint_dir);

// All tensors of a checkpoint, across shards, each shard mapped and validated on open.
// Views stay valid as long as the WeightSource lives (it is movable; moving keeps them valid).
class WeightSource {
 public:
  // Locates, opens and validates every shard, and checks the index against the shards: every
  // mapped tensor is in its shard, no shard holds a tensor the index does not map to it, and no
  // tensor name is in two shards.
  static WeightSource open(const std::filesystem::path& checkpoint_dir);

  // The tensor named `name`, or nullptr.
  const TensorView* find(std::string_view name) const;
  // The tensor named `name`; throws dokpa::Error naming the checkpoint folder if absent.
  const TensorView& at(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  // Total elements over all stored tensors (tied weights stored once count once).
  int64_t parameter_count() const;
  // The files that determine the weights, for provenance hashing: the index (if any) and then
  // the shards, in sorted order.
  std::vector<std::filesystem::path> files() const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  WeightSource() = default;

  std::filesystem::path directory_;
  std::optional<std::filesystem::path> index_file_;
  std::vector<SafetensorsFile> shards_;
  std::map<std::string, const TensorView*, std::less<>> by_name_;  // points into shards_
};

}  // namespace dokpa
