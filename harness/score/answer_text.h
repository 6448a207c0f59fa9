#pragma once
// Text helpers private to answer extraction (answer_extraction.cpp, numeric_answer.cpp):
// model output made comparable — valid UTF-8, NFC, full-width ASCII folded — and scanning
// helpers over code points. Not part of the score API.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dokpa::answer_text {

using Text = std::u32string;
using TextView = std::u32string_view;

// NFC code points of `text`; invalid UTF-8 bytes (output cut mid-character) become U+FFFD;
// full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to ASCII, U+2212 to '-'.
Text prepare(std::string_view text);
std::string encode(TextView text);

// prepare() then encode(): comparable UTF-8.
std::string prepare_utf8(std::string_view text);

// `text` with invalid UTF-8 bytes replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

inline bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
inline bool is_ascii_upper(char32_t c) { return c >= U'A' && c <= U'Z'; }
inline bool is_ascii_lower(char32_t c) { return c >= U'a' && c <= U'z'; }
inline bool is_ascii_alpha(char32_t c) { return is_ascii_upper(c) || is_ascii_lower(c); }
inline bool is_ascii_alnum(char32_t c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
inline char32_t ascii_lower(char32_t c) { return is_ascii_upper(c) ? c - U'A' + U'a' : c; }
inline bool is_newline(char32_t c) { return c == U'\n' || c == U'\r' || c == 0x2028 || c == 0x2029; }
inline bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == 0x0B || c == 0x0C || c == 0xA0 || is_newline(c);
}

// Whether `text` continues with `prefix` at `pos` (ASCII letters compared without case when
// `ignore_case`). Works for std::string_view and TextView alike.
template <class View>
bool continues_with(View text, size_t pos, View prefix, bool ignore_case = false) {
  if (pos > text.size() || text.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char32_t a = static_cast<char32_t>(text[pos + i]);
    char32_t b = static_cast<char32_t>(prefix[i]);
    if (ignore_case ? ascii_lower(a) != ascii_lower(b) : a != b) return false;
  }
  return true;
}

// For the '{' at `open`: the [begin, end) of the braced content, with "\{", "\}" and "\\" not
// counted; none when the braces never balance.
template <class View>
std::optional<std::pair<size_t, size_t>> braced_content(View text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    auto c = text[i];
    if (c == '\\') {
      ++i;  // skip the escaped character (\{ \} \\ or a command's first letter)
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return std::make_pair(open + 1, i);
  }
  return std::nullopt;
}

}  // namespace dokpa::answer_text
