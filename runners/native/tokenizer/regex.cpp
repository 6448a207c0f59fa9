#include "runners/native/tokenizer/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

Regex::Regex(const std::string& pattern, const std::string& source) : pattern_(pattern) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  // MULTILINE: `tokenizers` compiles with Oniguruma's Ruby syntax, where ^ and $ match at
  // line boundaries.
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &error_code, &error_offset, nullptr);
  if (!code) {
    throw Error(source, "cannot compile regex '" + pattern + "': " + pcre2_message(error_code) +
                            " at offset " + std::to_string(error_offset));
  }
  pcre2_jit_compile(code,
                    PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
  code_.reset(code, pcre2_code_free);
}

std::vector<Match> Regex::find_all(std::string_view text) const {
  std::vector<Match> matches;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code_.get(), nullptr), pcre2_match_data_free);
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(code_.get(), subject, text.size(), start, PCRE2_NO_UTF_CHECK, data.get(),
                         nullptr);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
      // The JIT has a small fixed stack; the interpreter handles long inputs.
      rc = pcre2_match(code_.get(), subject, text.size(), start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                       data.get(), nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw Error("regex '" + pattern_ + "'", "match failed: " + pcre2_message(rc));
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    size_t begin = ovector[0], end = ovector[1];
    matches.push_back({begin, end});
    if (end > begin) {
      start = end;
    } else {  // empty match: step over one character
      if (end >= text.size()) break;
      start = end + utf8_sequence_length(static_cast<unsigned char>(text[end]));
    }
  }
  return matches;
}

std::string escape_regex(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}-#&~ ").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string replace_all(const Regex& regex, std::string_view text, const std::string& content) {
  std::string out;
  size_t last = 0;
  for (const Match& m : regex.find_all(text)) {
    if (m.end == m.start) continue;
    out.append(text.substr(last, m.start - last));
    out += content;
    last = m.end;
  }
  out.append(text.substr(last));
  return out;
}

Regex make_pattern(const nlohmann::json& spec, const std::string& source,
                   const std::string& context) {
  if (spec.is_object() && spec.contains("Regex") && spec.at("Regex").is_string()) {
    return Regex(spec.at("Regex").get<std::string>(), source);
  }
  if (spec.is_object() && spec.contains("String") && spec.at("String").is_string()) {
    return Regex(escape_regex(spec.at("String").get<std::string>()), source);
  }
  throw Error(source, context + ".pattern must be {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace dokpa::tokenizer
