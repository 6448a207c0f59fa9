#pragma once
// Reading tokenizer.json fields with errors that name the file and the field.
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"

namespace dokpa::tokenizer {

using Json = nlohmann::json;

// The member `key` of `object`; throws dokpa::Error(source, ...) naming `context.key` if absent.
inline const Json& require_field(const Json& object, const char* key, const std::string& source,
                                 const std::string& context) {
  if (!object.is_object() || !object.contains(key)) {
    throw Error(source, context + " has no field '" + key + "'");
  }
  return object.at(key);
}

inline std::string require_string(const Json& object, const char* key, const std::string& source,
                                  const std::string& context) {
  const Json& value = require_field(object, key, source, context);
  if (!value.is_string()) throw Error(source, context + "." + key + " must be a string");
  return value.get<std::string>();
}

// Optional boolean/number/string fields: the default when absent or null.
template <typename T>
T field_or(const Json& object, const char* key, T fallback, const std::string& source,
           const std::string& context) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return fallback;
  try {
    return object.at(key).get<T>();
  } catch (const Json::exception&) {
    throw Error(source, context + "." + key + " has the wrong type");
  }
}

// The "type" of a component object (normalizer, pre_tokenizer, ...).
inline std::string component_type(const Json& object, const std::string& source,
                                  const std::string& context) {
  return require_string(object, "type", source, context);
}

}  // namespace dokpa::tokenizer
