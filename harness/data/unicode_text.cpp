#include "harness/data/unicode_text.h"

#include <utf8proc.h>

#include <cstdlib>

#include "common/error.h"

namespace dokpa {
namespace {

// Decodes the code point at text[pos]; returns its length in bytes, or -1 if invalid.
utf8proc_ssize_t decode(std::string_view text, size_t pos, utf8proc_int32_t* cp) {
  return utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                          static_cast<utf8proc_ssize_t>(text.size() - pos), cp);
}

// Python's str.isspace(): bidirectional class WS, B or S, or general category Zs.
bool is_python_space(utf8proc_int32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

size_t first_invalid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = decode(text, pos, &cp);
    if (n <= 0) return pos;
    pos += static_cast<size_t>(n);
  }
  return std::string::npos;
}

size_t count_code_points(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;  // count lead bytes
  return count;
}

std::string python_strip(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = decode(text, begin, &cp);
    if (n <= 0 || !is_python_space(cp)) break;
    begin += static_cast<size_t>(n);
  }
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = decode(text.substr(0, end), start, &cp);
    if (n <= 0 || !is_python_space(cp)) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

std::string to_upper(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = decode(text, pos, &cp);
    if (n <= 0) {  // keep invalid bytes as they are; readers reject them earlier anyway
      out += text[pos++];
      continue;
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    pos += static_cast<size_t>(n);
  }
  return out;
}

std::string nfc(std::string_view text) {
  utf8proc_uint8_t* result = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &result,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) throw Error("nfc", std::string("cannot normalise text: ") + utf8proc_errmsg(n));
  std::string out(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
  std::free(result);
  return out;
}

}  // namespace dokpa
