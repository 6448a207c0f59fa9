#pragma once
// UTF-8 helpers shared by the tokenizer pieces. The semantics follow Rust's `str`/`char`
// (what `tokenizers` is written in), so that character classes agree with the reference.
#include <cstdint>
#include <string>
#include <string_view>

namespace dokpa::tokenizer {

// Decodes the code point starting at text[pos] (text must be valid UTF-8) and sets `length`.
char32_t decode_code_point(std::string_view text, size_t pos, size_t& length);
void append_utf8(std::string& out, char32_t cp);
// Byte length of the UTF-8 sequence whose lead byte is `lead` (1 for stray bytes).
size_t utf8_sequence_length(unsigned char lead);

// Like Rust's String::from_utf8_lossy: each maximal invalid subsequence becomes U+FFFD.
std::string utf8_lossy(std::string_view bytes);
bool is_valid_utf8(std::string_view bytes);

// Rust char::is_whitespace (the Unicode White_Space property).
bool is_white_space(char32_t cp);
// Rust char::is_numeric (general categories Nd, Nl, No).
bool is_numeric(char32_t cp);
// Rust regex `\w`: Alphabetic, marks, decimal digits, connector punctuation, joiners.
bool is_word_char(char32_t cp);

}  // namespace dokpa::tokenizer
