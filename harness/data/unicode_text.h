#pragma once
// The few Unicode operations the harness needs, with the semantics of the Python reference
// (lm-evaluation-harness) so prompts and scores match it byte for byte.
#include <cstddef>
#include <string>
#include <string_view>

namespace dokpa {

// Offset of the first byte that is not valid UTF-8, or std::string::npos.
size_t first_invalid_utf8(std::string_view text);

// Number of Unicode code points (Python len() of the decoded str). Text must be valid UTF-8.
size_t count_code_points(std::string_view text);

// Python str.strip(): removes leading and trailing code points for which str.isspace() is true.
std::string python_strip(std::string_view text);

// Python str.upper() for code points whose upper case is a single code point (utf8proc).
std::string to_upper(std::string_view text);

// Unicode NFC (utf8proc); throws dokpa::Error if the text is not valid UTF-8.
std::string nfc(std::string_view text);

}  // namespace dokpa
