#pragma once
// Python string semantics over UTF-8: Python indexes, slices, strips and cases strings by
// code point, and Korean text must come out byte for byte as transformers renders it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dokpa::jinja::text {

std::u32string decode(std::string_view utf8);  // invalid bytes decode as U+FFFD
std::string encode(std::u32string_view cps);
void append_utf8(std::string& out, char32_t cp);

bool is_space(char32_t cp);  // Python str.isspace()

// Python str.strip/lstrip/rstrip: `chars` absent means whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string title(std::string_view s);       // Python str.title()
std::string capitalize(std::string_view s);  // Python str.capitalize()

// Python str.split(sep) / str.split() (whitespace runs), with maxsplit (-1 = all).
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, long maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::string& sep, long maxsplit);
std::vector<std::string> splitlines(std::string_view s);  // without ends; \n, \r\n, \r
std::string replace(std::string_view s, std::string_view old, std::string_view with, long count);

// Python repr() of a str, and of a float (shortest round-trip, Python's exponent rules).
std::string repr_string(std::string_view s);
std::string repr_float(double d);

size_t length(std::string_view s);  // in code points

}  // namespace dokpa::jinja::text
