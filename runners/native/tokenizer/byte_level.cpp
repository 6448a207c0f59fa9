#include "runners/native/tokenizer/byte_level.h"

#include <array>
#include <cstdint>

#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

struct ByteTable {
  std::array<char32_t, 256> byte_to_char{};
  std::array<std::string, 256> byte_to_utf8;
  std::array<int16_t, 512> char_to_byte{};  // table characters are all below U+0200

  ByteTable() {
    // Printable Latin-1 bytes map to themselves; the rest to U+0100 upwards, in byte order
    // (https://github.com/openai/gpt-2/blob/master/src/encoder.py).
    char_to_byte.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      byte_to_char[b] = printable ? char32_t(b) : next++;
      append_utf8(byte_to_utf8[b], byte_to_char[b]);
      char_to_byte[byte_to_char[b]] = int16_t(b);
    }
  }
};

const ByteTable& table() {
  static const ByteTable instance;
  return instance;
}

}  // namespace

std::string bytes_to_unicode(std::string_view bytes) {
  const ByteTable& t = table();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += t.byte_to_utf8[b];
  return out;
}

bool unicode_to_bytes(std::string_view text, std::string& out) {
  const ByteTable& t = table();
  for (size_t pos = 0; pos < text.size();) {
    size_t length;
    char32_t cp = decode_code_point(text, pos, length);
    if (cp >= t.char_to_byte.size() || t.char_to_byte[cp] < 0) return false;
    out += char(t.char_to_byte[cp]);
    pos += length;
  }
  return true;
}

}  // namespace dokpa::tokenizer
