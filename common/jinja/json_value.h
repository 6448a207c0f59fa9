#pragma once
// Between nlohmann::json and template values: the variables a caller passes in, and
// transformers' `tojson` filter (json.dumps with ensure_ascii=False) going out.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "common/jinja/value.h"

namespace dokpa::jinja {

// Objects keep the order the json type iterates in: insertion order for
// nlohmann::ordered_json (as Python keeps it), sorted keys for nlohmann::json.
template <typename Json>
Value from_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return Value::none();
    case Json::value_t::boolean:
      return Value(j.template get<bool>());
    case Json::value_t::number_integer:
      return Value(j.template get<int64_t>());
    case Json::value_t::number_unsigned:
      return Value(static_cast<int64_t>(j.template get<uint64_t>()));
    case Json::value_t::number_float:
      return Value(j.template get<double>());
    case Json::value_t::string:
      return Value(j.template get<std::string>());
    case Json::value_t::array: {
      std::vector<Value> items;
      for (const auto& item : j) items.push_back(from_json(item));
      return Value::list(std::move(items));
    }
    case Json::value_t::object: {
      std::vector<std::pair<std::string, Value>> entries;
      for (auto it = j.begin(); it != j.end(); ++it) entries.emplace_back(it.key(), from_json(it.value()));
      return Value::dict(std::move(entries));
    }
    default:
      throw EvalError("unsupported JSON value");
  }
}

struct JsonDumpOptions {
  std::optional<std::string> indent;                              // absent: one line; else the text of one indent level
  std::optional<std::pair<std::string, std::string>> separators;  // (item, key) as json.dumps
  bool sort_keys = false;
  bool ensure_ascii = false;  // true: non-ASCII as \uXXXX (surrogate pairs above U+FFFF)
};

// Python's json.dumps(value, ...) with transformers' default ensure_ascii=False. Throws EvalError for values JSON
// cannot hold (Undefined, callables).
std::string dump_json(const Value& value, const JsonDumpOptions& options);

}  // namespace dokpa::jinja
