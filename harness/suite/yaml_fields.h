#pragma once
// Validated reading of one YAML mapping: every key must be known, every value of the right
// type, and every error names the file, the context (e.g. "task 'x'") and the field.
// Private to harness/suite (suite and submission files share it).
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace dokpa::yaml_fields {

class MappingReader {
 public:
  // Throws unless `node` is a mapping whose keys are all in `allowed` and unique.
  // `context` prefixes messages ("task 'x'", "task 'x': dataset"); may be empty.
  MappingReader(const YAML::Node& node, std::string source, std::string context,
                std::initializer_list<const char*> allowed);

  bool has(const std::string& key) const;
  YAML::Node node(const std::string& key) const;  // required
  std::string string(const std::string& key) const;  // required scalar
  std::string string_or(const std::string& key, const std::string& fallback) const;
  int64_t integer(const std::string& key, int64_t min, int64_t max) const;  // required
  int64_t integer_or(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  uint64_t unsigned_integer(const std::string& key) const;  // required
  std::vector<std::string> string_list(const std::string& key) const;  // required sequence of scalars

  // Throws "<source>: <context>: field '<key>': <message> (line N)".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  // Throws "<source>: <context>: <message> (line N)" for the mapping itself.
  [[noreturn]] void fail_here(const std::string& message) const;

  const std::string& source() const { return source_; }
  const std::string& context() const { return context_; }
  // "<context>: <key>", for nested readers.
  std::string nested(const std::string& key) const;

 private:
  YAML::Node get(const std::string& key) const;  // a null node when absent

  YAML::Node map_;
  std::string source_;
  std::string context_;
};

// Parses YAML text, turning yaml-cpp's exceptions into dokpa::Error naming `source` and the line.
YAML::Node parse_yaml(const std::string& text, const std::string& source);

}  // namespace dokpa::yaml_fields
