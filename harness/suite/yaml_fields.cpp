#include "harness/suite/yaml_fields.h"

#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "common/error.h"
#include "harness/data/unicode_text.h"

namespace dokpa::yaml_fields {
namespace {

std::string line_suffix(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "";
  return " (line " + std::to_string(mark.line + 1) + ")";
}

std::string prefix(const std::string& context) { return context.empty() ? "" : context + ": "; }

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  // YAML text is printable Unicode. Invalid UTF-8 would pass yaml-cpp, and yaml-cpp turns a NUL
  // byte into a stray 0x85; either would reach the canonical JSON (suite hash, chat template
  // kwargs), whose writer refuses it with an exception of its own.
  auto line_of = [&](size_t at) {
    return std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  };
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos)
    throw Error(source, "invalid UTF-8 at byte " + std::to_string(bad) + " (line " + line_of(bad) + ")");
  auto control = std::find_if(text.begin(), text.end(), [](unsigned char c) {
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
  });
  if (control != text.end()) {
    size_t at = static_cast<size_t>(control - text.begin());
    throw Error(source, "control character " + fmt::format("0x{:02X}", static_cast<unsigned char>(*control)) +
                            " at byte " + std::to_string(at) + " (line " + line_of(at) + "): YAML allows only printable text");
  }
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& error) {
    std::string where = error.mark.line >= 0 ? " (line " + std::to_string(error.mark.line + 1) + ")" : "";
    throw Error(source, "malformed YAML: " + error.msg + where);
  }
}

MappingReader::MappingReader(const YAML::Node& node, std::string source, std::string context,
                             std::initializer_list<const char*> allowed)
    : map_(node), source_(std::move(source)), context_(std::move(context)) {
  if (!node.IsMap()) fail_here("expected a mapping of fields");
  std::set<std::string> seen;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; });
    if (!known) throw Error(source_, prefix(context_) + "unknown field '" + key + "'" + line_suffix(entry.first));
    if (!seen.insert(key).second) throw Error(source_, prefix(context_) + "duplicate field '" + key + "'" + line_suffix(entry.first));
  }
}

void MappingReader::fail(const std::string& key, const std::string& message) const {
  YAML::Node value = get(key);
  throw Error(source_, prefix(context_) + "field '" + key + "': " + message + (value ? line_suffix(value) : line_suffix(map_)));
}

void MappingReader::fail_here(const std::string& message) const {
  throw Error(source_, prefix(context_) + message + line_suffix(map_));
}

YAML::Node MappingReader::get(const std::string& key) const {
  const YAML::Node& map = map_;  // the const operator[] never inserts the key
  return map[key];
}

std::string MappingReader::nested(const std::string& key) const { return prefix(context_) + key; }

bool MappingReader::has(const std::string& key) const {
  YAML::Node value = get(key);
  return value && !value.IsNull();
}

YAML::Node MappingReader::node(const std::string& key) const {
  if (!has(key)) fail(key, "is required");
  return get(key);
}

std::string MappingReader::string(const std::string& key) const {
  YAML::Node value = node(key);
  if (!value.IsScalar()) fail(key, "must be a string");
  return value.Scalar();
}

std::string MappingReader::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

int64_t MappingReader::integer(const std::string& key, int64_t min, int64_t max) const {
  YAML::Node value = node(key);
  int64_t result = 0;
  if (!value.IsScalar() || !YAML::convert<int64_t>::decode(value, result)) fail(key, "must be an integer");
  if (result < min || result > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(result));
  }
  return result;
}

int64_t MappingReader::integer_or(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
  return has(key) ? integer(key, min, max) : fallback;
}

uint64_t MappingReader::unsigned_integer(const std::string& key) const {
  YAML::Node value = node(key);
  uint64_t result = 0;
  const std::string& text = value.IsScalar() ? value.Scalar() : std::string();
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || !YAML::convert<uint64_t>::decode(value, result)) fail(key, "must be a non-negative integer");
  return result;
}

std::vector<std::string> MappingReader::string_list(const std::string& key) const {
  YAML::Node value = node(key);
  if (!value.IsSequence()) fail(key, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.IsScalar()) fail(key, "must be a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace dokpa::yaml_fields
