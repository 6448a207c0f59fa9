#pragma once
// The GPT-2 byte <-> unicode table of byte-level BPE: every byte gets a printable character,
// so any UTF-8 text becomes a string of vocabulary characters and back.
#include <string>
#include <string_view>

namespace dokpa::tokenizer {

// Each byte of `bytes` replaced by the UTF-8 of its table character.
std::string bytes_to_unicode(std::string_view bytes);

// The inverse, appending to `out`; false (leaving `out` unspecified) if a character of `text`
// is not in the table.
bool unicode_to_bytes(std::string_view text, std::string& out);

}  // namespace dokpa::tokenizer
