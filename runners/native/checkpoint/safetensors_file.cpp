#include "runners/native/checkpoint/safetensors_file.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa {
namespace {

// The safetensors library's own limit; a larger header is corrupt or hostile.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  size_t size;
};

constexpr std::array<DtypeInfo, 16> kDtypes{{
    {Dtype::F64, "F64", 8},         {Dtype::F32, "F32", 4},         {Dtype::F16, "F16", 2},
    {Dtype::BF16, "BF16", 2},       {Dtype::F8_E4M3, "F8_E4M3", 1}, {Dtype::F8_E5M2, "F8_E5M2", 1},
    {Dtype::F8_E8M0, "F8_E8M0", 1}, {Dtype::I64, "I64", 8},         {Dtype::I32, "I32", 4},
    {Dtype::I16, "I16", 2},         {Dtype::I8, "I8", 1},           {Dtype::U64, "U64", 8},
    {Dtype::U32, "U32", 4},         {Dtype::U16, "U16", 2},         {Dtype::U8, "U8", 1},
    {Dtype::BOOL, "BOOL", 1},
}};

const DtypeInfo& info_of(Dtype dtype) {
  for (const auto& info : kDtypes)
    if (info.dtype == dtype) return info;
  throw std::logic_error("unhandled Dtype");
}

// A pickled PyTorch checkpoint renamed to .safetensors would otherwise surface as a
// nonsensical header length; recognise it so the message says what the file really is.
std::optional<std::string> foreign_format(const std::byte* data, size_t size) {
  auto byte = [&](size_t i) { return std::to_integer<unsigned>(data[i]); };
  if (size >= 4 && byte(0) == 'P' && byte(1) == 'K' && byte(2) == 3 && byte(3) == 4)
    return "is a zip archive (a PyTorch torch.save checkpoint?), not safetensors";
  if (size >= 2 && byte(0) == 0x80 && byte(1) >= 2 && byte(1) <= 5)
    return "is a Python pickle (a PyTorch checkpoint?), not safetensors";
  return std::nullopt;
}

void refuse_foreign(const std::filesystem::path& path, const std::byte* data, size_t size) {
  if (auto foreign = foreign_format(data, size))
    throw Error(path.string(),
                *foreign + "; pickled checkpoints are refused because loading them can execute code");
}

// Layout errors first rule out a foreign format, whose message is more useful.
[[noreturn]] void fail_layout(const std::filesystem::path& path, const std::byte* data, size_t size,
                              const std::string& problem) {
  refuse_foreign(path, data, size);
  throw Error(path.string(), problem);
}

// Parses the header, refusing duplicate keys in any object (nlohmann would keep the last one,
// so two entries for one tensor name would silently shadow each other).
nlohmann::json parse_header(const std::filesystem::path& path, std::string_view text) {
  std::vector<std::set<std::string>> open_objects;
  auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) open_objects.emplace_back();
    if (event == Event::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Event::key && !open_objects.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second)
        throw Error(path.string(), fmt::format("header has key '{}' twice", key));
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(path.string(), fmt::format("header is not valid JSON ({})", e.what()));
  }
}

uint64_t unsigned_field(const std::filesystem::path& path, const std::string& tensor, const char* field,
                        const nlohmann::json& value) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    throw Error(path.string(), fmt::format("tensor '{}': {} must hold non-negative integers, got {}", tensor,
                                           field, value.dump()));
  return value.get<uint64_t>();
}

// Parsed header entry before it is checked against the data section.
struct Entry {
  TensorView view;
  uint64_t begin, end;
};

Entry parse_entry(const std::filesystem::path& path, const std::string& name, const nlohmann::json& entry) {
  if (!entry.is_object())
    throw Error(path.string(), fmt::format("tensor '{}': header entry must be an object", name));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) throw Error(path.string(), fmt::format("tensor '{}': missing '{}'", name, key));

  const auto& dtype_json = entry.at("dtype");
  if (!dtype_json.is_string())
    throw Error(path.string(), fmt::format("tensor '{}': dtype must be a string", name));
  auto dtype = parse_dtype(dtype_json.get_ref<const std::string&>());
  if (!dtype)
    throw Error(path.string(), fmt::format("tensor '{}': unknown dtype '{}'", name, dtype_json.get<std::string>()));

  const auto& shape_json = entry.at("shape");
  if (!shape_json.is_array())
    throw Error(path.string(), fmt::format("tensor '{}': shape must be an array", name));
  std::vector<int64_t> shape;
  uint64_t numel = 1;
  bool overflow = false;
  for (const auto& dim_json : shape_json) {
    uint64_t dim = unsigned_field(path, name, "shape", dim_json);
    shape.push_back(static_cast<int64_t>(dim));
    overflow = overflow || __builtin_mul_overflow(numel, dim, &numel);
  }
  uint64_t nbytes = 0;
  overflow = overflow || __builtin_mul_overflow(numel, static_cast<uint64_t>(dtype_size(*dtype)), &nbytes);
  // A zero dimension makes the tensor empty whatever the others are.
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) overflow = false, nbytes = 0;
  if (overflow)
    throw Error(path.string(), fmt::format("tensor '{}': shape {} is too large", name, shape_json.dump()));

  const auto& offsets_json = entry.at("data_offsets");
  if (!offsets_json.is_array() || offsets_json.size() != 2)
    throw Error(path.string(), fmt::format("tensor '{}': data_offsets must be [begin, end]", name));
  uint64_t begin = unsigned_field(path, name, "data_offsets", offsets_json[0]);
  uint64_t end = unsigned_field(path, name, "data_offsets", offsets_json[1]);
  if (begin > end)
    throw Error(path.string(), fmt::format("tensor '{}': data_offsets [{}, {}] end before they begin", name, begin, end));
  if (end - begin != nbytes)
    throw Error(path.string(),
                fmt::format("tensor '{}': data_offsets [{}, {}] span {} bytes but dtype {} with shape {} needs {}",
                            name, begin, end, end - begin, dtype_json.get<std::string>(), shape_json.dump(), nbytes));
  return Entry{TensorView{name, *dtype, std::move(shape), nullptr, static_cast<size_t>(nbytes)}, begin, end};
}

std::map<std::string, std::string> parse_metadata(const std::filesystem::path& path, const nlohmann::json& meta) {
  if (!meta.is_object()) throw Error(path.string(), "__metadata__ must be an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : meta.items()) {
    if (!value.is_string())
      throw Error(path.string(), fmt::format("__metadata__ '{}' must be a string, got {}", key, value.dump()));
    out.emplace(key, value.get<std::string>());
  }
  return out;
}

// Like the reference library: spans sorted by offset must tile the data section exactly — no
// overlap (two tensors sharing bytes) and no holes (bytes that belong to nothing, which is
// how polyglot files hide a second payload).
void check_spans(const std::filesystem::path& path, std::vector<Entry>& entries, uint64_t data_size) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.view.name) < std::tie(b.begin, b.end, b.view.name);
  });
  uint64_t cursor = 0;
  const Entry* owner = nullptr;  // the tensor whose span ends at `cursor`
  for (const Entry& e : entries) {
    if (e.end > data_size)
      throw Error(path.string(), fmt::format("tensor '{}': data_offsets [{}, {}] run past the end of the data "
                                             "section ({} bytes)",
                                             e.view.name, e.begin, e.end, data_size));
    if (e.begin < cursor)
      throw Error(path.string(), fmt::format("tensor '{}': data_offsets [{}, {}] overlap tensor '{}' [{}, {}]",
                                             e.view.name, e.begin, e.end, owner->view.name, owner->begin, owner->end));
    if (e.begin > cursor)
      throw Error(path.string(), fmt::format("data section bytes [{}, {}) belong to no tensor (before tensor '{}')",
                                             cursor, e.begin, e.view.name));
    if (e.end > cursor || !owner) owner = &e;
    cursor = e.end;
  }
  if (cursor != data_size)
    throw Error(path.string(), fmt::format("data section has {} trailing bytes that belong to no tensor",
                                           data_size - cursor));
}

}  // namespace

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& info : kDtypes)
    if (info.name == name) return info.dtype;
  return std::nullopt;
}

std::string_view dtype_name(Dtype dtype) { return info_of(dtype).name; }
size_t dtype_size(Dtype dtype) { return info_of(dtype).size; }

int64_t TensorView::numel() const {
  // open() bounded the product by the file size, except when a zero dimension empties the
  // tensor: the other dimensions may then be anything, so their product is never formed.
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  SafetensorsFile out;
  out.file_ = MappedFile::open(path);
  const std::byte* data = out.file_.data();
  const size_t size = out.file_.size();

  if (size < 8)
    fail_layout(path, data, size,
                fmt::format("truncated: {} bytes, too short for the 8-byte header length", size));
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | std::to_integer<uint64_t>(data[i]);
  if (header_len > kMaxHeaderBytes)
    fail_layout(path, data, size, fmt::format("header length {} exceeds the {}-byte limit", header_len, kMaxHeaderBytes));
  if (header_len > size - 8)
    fail_layout(path, data, size, fmt::format("header length {} runs past the end of the file ({} bytes)",
                                              header_len, size));
  std::string_view header_text(reinterpret_cast<const char*>(data + 8), header_len);
  size_t first = header_text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || header_text[first] != '{') refuse_foreign(path, data, size);

  nlohmann::json header = parse_header(path, header_text);
  if (!header.is_object()) throw Error(path.string(), "header is not a JSON object");

  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      out.metadata_ = parse_metadata(path, value);
      continue;
    }
    entries.push_back(parse_entry(path, name, value));
  }
  const uint64_t data_size = size - 8 - header_len;
  check_spans(path, entries, data_size);

  const std::byte* data_section = data + 8 + header_len;
  for (Entry& e : entries) {
    e.view.data = data_section + e.begin;
    out.tensors_.push_back(std::move(e.view));
  }
  std::sort(out.tensors_.begin(), out.tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return a.name < b.name; });
  return out;
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                             [](const TensorView& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

}  // namespace dokpa
