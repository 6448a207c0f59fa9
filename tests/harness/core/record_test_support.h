#pragma once
// Reading dataset records in reader tests.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "harness/data/dataset.h"

namespace dokpa::test {

// The text value of `field`; fails the test when it is missing or a list.
inline std::string text_of(const Record& record, const std::string& field) {
  const FieldValue* value = record.find(field);
  REQUIRE(value != nullptr);
  REQUIRE(std::holds_alternative<std::string>(*value));
  return std::get<std::string>(*value);
}

}  // namespace dokpa::test
