#include "harness/score/answer_text.h"

#include <utf8proc.h>

#include "harness/data/unicode_text.h"

namespace dokpa::answer_text {
namespace {

char32_t fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;  // full-width ASCII: Ｂ（：１
  if (c == 0x3000) return U' ';                       // ideographic space
  if (c == 0x2212) return U'-';                       // minus sign
  return c;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                          static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
    if (n <= 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++pos;
      continue;
    }
    out.append(text.substr(pos, static_cast<size_t>(n)));
    pos += static_cast<size_t>(n);
  }
  return out;
}

Text prepare(std::string_view text) {
  std::string normal = nfc(valid_utf8(text));
  Text out;
  out.reserve(normal.size());
  size_t pos = 0;
  while (pos < normal.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(normal.data() + pos),
                                          static_cast<utf8proc_ssize_t>(normal.size() - pos), &cp);
    pos += static_cast<size_t>(n);  // valid: nfc() output of valid UTF-8
    out += fold(static_cast<char32_t>(cp));
  }
  return out;
}

std::string encode(TextView text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  return out;
}

std::string prepare_utf8(std::string_view text) { return encode(prepare(text)); }

}  // namespace dokpa::answer_text
