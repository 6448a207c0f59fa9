#pragma once
// The one error type of dokpa: thrown where a problem is found, carrying the file (or other
// source) it concerns, and caught once at the CLI boundary, which prints what() and exits 1.
#include <stdexcept>
#include <string>

namespace dokpa {

class Error : public std::runtime_error {
 public:
  // `source` names the file (or URL, or setting) the problem is in; what() is
  // "<source>: <message>" so the message always names it.
  Error(std::string source, const std::string& message);

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace dokpa
