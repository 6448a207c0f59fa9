#pragma once
// One .safetensors file, memory-mapped and fully validated on open: nothing is handed out
// until the header, every dtype, shape and byte span has been checked against the file.
// Format: https://github.com/huggingface/safetensors (8-byte LE header length, JSON header,
// data section). No libtorch here; the torch side wraps the views without copying.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_io.h"

namespace dokpa {

// Element types of safetensors headers (byte-sized ones only; sub-byte F4/F6 are refused).
enum class Dtype {
  F64, F32, F16, BF16, F8_E4M3, F8_E5M2, F8_E8M0,
  I64, I32, I16, I8, U64, U32, U16, U8, BOOL,
};

// "BF16" -> Dtype::BF16; nullopt for names this reader does not know.
std::optional<Dtype> parse_dtype(std::string_view name);
// Dtype::BF16 -> "BF16" (the safetensors spelling).
std::string_view dtype_name(Dtype dtype);
// Bytes per element.
size_t dtype_size(Dtype dtype);

// A tensor inside a mapped file. `data` points into the map and stays valid as long as the
// SafetensorsFile (or WeightSource) that produced it lives. `data` need not be aligned.
struct TensorView {
  std::string name;
  Dtype dtype;
  std::vector<int64_t> shape;  // empty for a scalar
  const std::byte* data;       // nullptr only when nbytes == 0 and the file has no data section
  size_t nbytes;

  int64_t numel() const;  // product of shape (1 for a scalar)
};

class SafetensorsFile {
 public:
  // Maps and validates `path`; throws dokpa::Error("<path>", "<problem>") on any defect.
  static SafetensorsFile open(const std::filesystem::path& path);

  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;

  const std::filesystem::path& path() const { return file_.path(); }
  // Every tensor, sorted by name (deterministic order).
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // The tensor named `name`, or nullptr.
  const TensorView* find(std::string_view name) const;
  // The optional "__metadata__" string map.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;

  MappedFile file_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace dokpa
