#include "common/error.h"

namespace dokpa {

namespace {
std::string with_source(const std::string& source, const std::string& message) {
  if (source.empty()) return message;
  std::string text;
  text.reserve(source.size() + 2 + message.size());
  text.append(source).append(": ").append(message);
  return text;
}
}  // namespace

Error::Error(std::string source, const std::string& message)
    : std::runtime_error(with_source(source, message)), source_(std::move(source)) {}

}  // namespace dokpa
