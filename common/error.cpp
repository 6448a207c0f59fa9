#include "common/error.h"

namespace dokpa {

Error::Error(std::string source, const std::string& message)
    : std::runtime_error(source.empty() ? message : source + ": " + message),
      source_(std::move(source)) {}

}  // namespace dokpa
