// Reasoning removal, option extraction and \boxed{} (rules in answer_extraction.h).
#include "harness/score/answer_extraction.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "harness/data/unicode_text.h"
#include "harness/score/answer_text.h"

namespace dokpa {
namespace {

using namespace answer_text;

// ---- reasoning ----------------------------------------------------------------------------

constexpr std::array<std::string_view, 4> kReasoningTags = {"think", "thinking", "thought", "reasoning"};

struct Tag {
  size_t begin = 0;
  size_t end = 0;  // one past '>'
  bool closing = false;
  std::string_view name;
};

// The first reasoning tag (<name> or </name>, ASCII case ignored) at or after `from`.
std::optional<Tag> next_tag(std::string_view text, size_t from) {
  for (size_t pos = text.find('<', from); pos != std::string_view::npos; pos = text.find('<', pos + 1)) {
    size_t p = pos + 1;
    bool closing = p < text.size() && text[p] == '/';
    if (closing) ++p;
    for (std::string_view name : kReasoningTags) {
      size_t close = p + name.size();
      if (close < text.size() && text[close] == '>' && continues_with(text, p, name, true)) {
        return Tag{pos, close + 1, closing, name};
      }
    }
  }
  return std::nullopt;
}

// ---- option labels ------------------------------------------------------------------------

struct Options {
  std::vector<Text> labels;           // prepared like the response
  std::vector<size_t> longest_first;  // indices into labels: "10" is tried before "1"
};

Options prepare_options(const std::vector<std::string>& labels) {
  Options options;
  for (const std::string& label : labels) options.labels.push_back(prepare(python_strip(label)));
  options.longest_first.resize(labels.size());
  std::iota(options.longest_first.begin(), options.longest_first.end(), size_t{0});
  std::stable_sort(options.longest_first.begin(), options.longest_first.end(),
                   [&](size_t a, size_t b) { return options.labels[a].size() > options.labels[b].size(); });
  return options;
}

bool is_open_wrapper(char32_t c) { return TextView(U"([{*_`'\"「『【“‘").find(c) != TextView::npos; }
bool is_close_wrapper(char32_t c) { return TextView(U")]}*_`'\"」』】”’").find(c) != TextView::npos; }

struct Token {
  int index = -1;
  size_t end = 0;       // after the label, 번 and closing wrappers
  bool closed = false;  // closing wrappers followed the label ("(B)", "**B**", "B)"), or ③
};

// The label at `pos` exactly (no wrappers): a circled number ①..⑩, or a label not running on
// into ASCII letters or digits. `weak`: matched with different ASCII case ("b" for "B").
struct LabelMatch {
  int index = -1;
  size_t end = 0;
  bool weak = false;
  bool digits = false;
  bool circled = false;  // ①..⑩ mark an option on their own, like "(3)"
};

std::optional<LabelMatch> match_label(TextView text, size_t pos, const Options& options) {
  if (pos >= text.size() || (pos > 0 && is_ascii_alnum(text[pos - 1]))) return std::nullopt;
  char32_t c = text[pos];
  if (c >= 0x2460 && c <= 0x2469) {  // ① .. ⑩
    size_t index = c - 0x2460;
    if (index >= options.labels.size()) return std::nullopt;
    return LabelMatch{static_cast<int>(index), pos + 1, false, true, true};
  }
  for (size_t i : options.longest_first) {
    TextView label = options.labels[i];
    if (label.empty() || !continues_with(text, pos, label, true)) continue;
    size_t end = pos + label.size();
    if (end < text.size()) {
      char32_t next = text[end];
      if (is_ascii_alnum(next)) continue;  // "Bus", "20"
      if ((next == U'.' || next == U',') && end + 1 < text.size() && is_ascii_alnum(text[end + 1])) continue;  // 2.5
    }
    return LabelMatch{static_cast<int>(i), end, !continues_with(text, pos, label), is_ascii_digit(label.back()), false};
  }
  return std::nullopt;
}

// A label with optional wrappers around it ("(B)", "**B**", "「B」", "2번").
std::optional<Token> label_token(TextView text, size_t pos, const Options& options) {
  size_t p = pos;
  while (p < text.size() && p - pos < 4 && is_open_wrapper(text[p])) ++p;
  std::optional<LabelMatch> label = match_label(text, p, options);
  if (!label) return std::nullopt;
  size_t e = label->end;
  if (label->digits && e < text.size() && text[e] == U'번') ++e;
  size_t q = e;
  while (q < text.size() && q - e < 4 && is_close_wrapper(text[q])) ++q;
  bool opened = p > pos;
  bool closed = q > e || label->circled;
  // "a" or "i" followed by a space is an English word, not an option.
  if (label->weak && !opened && !closed && q < text.size() && (text[q] == U' ' || text[q] == U'\t'))
    return std::nullopt;
  return Token{label->index, q, closed};
}

size_t skip_spaces(TextView text, size_t pos) {
  while (pos < text.size() && (text[pos] == U' ' || text[pos] == U'\t')) ++pos;
  return pos;
}

// "A가 아니라", "(A)는 아니다": the label is denied, not chosen.
bool negated(TextView text, size_t end) {
  size_t p = end;
  if (p < text.size() && TextView(U"가이은는").find(text[p]) != TextView::npos) ++p;
  return continues_with(text, skip_spaces(text, p), TextView(U"아니"));
}

constexpr std::array<std::u32string_view, 6> kCopulas = {U"입니다", U"이다", U"이에요", U"예요", U"요", U"임"};

bool starts_copula(TextView text, size_t pos) {
  for (TextView copula : kCopulas) {
    if (continues_with(text, pos, copula)) return true;
  }
  return false;
}

// "A, C", "A와 C", "A or C": several options named at once. Not "B, A는 오답": a label followed
// by a particle is the subject of another clause.
bool listed(TextView text, size_t end, const Options& options) {
  static constexpr std::array<std::u32string_view, 12> kConnectors = {U",",  U"/",  U"&",    U"+",    U"、",  U"와",
                                                                      U"과", U"및", U"또는", U"이나", U"and", U"or"};
  size_t p = skip_spaces(text, end);
  for (TextView connector : kConnectors) {
    if (!continues_with(text, p, connector, true)) continue;
    size_t q = p + connector.size();
    if (is_ascii_alpha(connector[0]) && q < text.size() && is_ascii_alnum(text[q])) continue;  // "order"
    std::optional<Token> other = label_token(text, skip_spaces(text, q), options);
    if (!other) continue;
    bool particle = other->end < text.size() && text[other->end] >= 0xAC00 && text[other->end] <= 0xD7A3 &&
                    !starts_copula(text, other->end);
    if (!particle) return true;
  }
  return false;
}

bool usable(TextView text, const Token& token, const Options& options) {
  return !negated(text, token.end) && !listed(text, token.end, options);
}

// The whole (trimmed) text is essentially one option label: "B", "(B) 서울", "B. 서울",
// "B입니다.", "2번", "B\n설명...". -1 otherwise.
int bare_choice(TextView text, const Options& options) {
  size_t begin = 0;
  while (begin < text.size() && is_space(text[begin])) ++begin;
  size_t end = text.size();
  while (end > begin && is_space(text[end - 1])) --end;
  TextView s = text.substr(begin, end - begin);
  std::optional<Token> token = label_token(s, 0, options);
  if (!token || !usable(s, *token, options)) return -1;
  // A list of options echoed back ("A. 서울\nB. 부산") names no answer.
  for (size_t line = s.find(U'\n'); line != TextView::npos; line = s.find(U'\n', line + 1)) {
    std::optional<Token> other = label_token(s, skip_spaces(s, line + 1), options);
    if (other && other->index != token->index &&
        (other->closed || (other->end < s.size() && (s[other->end] == U'.' || s[other->end] == U':')))) {
      return -1;
    }
  }
  size_t p = token->end;
  if (p == s.size() || is_newline(s[p])) return token->index;
  auto ends_here = [&](size_t q) { return q == s.size() || is_space(s[q]); };
  if (token->closed && is_space(s[p])) return token->index;                     // "(B) 서울"
  if ((s[p] == U'.' || s[p] == U':') && ends_here(p + 1)) return token->index;  // "B. 서울"
  for (TextView copula : kCopulas) {
    if (!continues_with(s, p, copula)) continue;
    size_t q = p + copula.size();
    if (ends_here(q) || s[q] == U'.' || s[q] == U'!') return token->index;  // "B입니다."
  }
  return -1;
}

// ---- explicit answer phrases --------------------------------------------------------------

struct Candidate {
  size_t position = 0;
  int index = -1;
};

// Separators between an answer keyword and the label: spaces, line breaks, ':', markdown.
struct Separators {
  size_t end = 0;
  bool colon = false;  // ':' '=' or an arrow: the keyword introduces a value
  bool newline = false;
};

Separators skip_separators(TextView text, size_t pos) {
  Separators s{pos};
  while (s.end < text.size()) {
    char32_t c = text[s.end];
    if (c == U':' || c == U'=' || c == U'→' || c == U'>')
      s.colon = true;
    else if (is_newline(c))
      s.newline = true;
    else if (!is_space(c) && c != U'*' && c != U'_' && c != U'-' && c != U'#')
      break;
    ++s.end;
  }
  return s;
}

// After "정답은 " or "answer: ": an optional filler word, then the label token.
std::optional<Token> answer_after(TextView text, size_t pos, const Options& options) {
  static constexpr std::array<std::u32string_view, 6> kFillers = {U"바로", U"보기",   U"선택지",
                                                                  U"번호", U"option", U"choice"};
  for (TextView filler : kFillers) {
    if (!continues_with(text, pos, filler, true)) continue;
    size_t p = pos + filler.size();
    if (p < text.size() && (text[p] == U'은' || text[p] == U'는')) ++p;
    Separators separators = skip_separators(text, p);
    if (separators.end > p) pos = separators.end;
    break;
  }
  std::optional<Token> token = label_token(text, pos, options);
  if (!token || !usable(text, *token, options)) return std::nullopt;
  return token;
}

// 정답 / 답 / 답변 / 답안 with 은·는 and/or separators, then a label.
std::optional<Candidate> korean_phrase(TextView text, size_t pos, const Options& options) {
  static constexpr std::array<std::u32string_view, 4> kKeywords = {U"정답", U"답변", U"답안", U"답"};
  for (TextView keyword : kKeywords) {
    if (!continues_with(text, pos, keyword)) continue;
    size_t p = pos + keyword.size();
    bool particle = p < text.size() && (text[p] == U'은' || text[p] == U'는');
    if (particle) ++p;
    Separators separators = skip_separators(text, p);
    // 정답 alone introduces an answer (정답 B, 정답：B); the shorter words need 은·는, ':' or a
    // line break, so that 답장, 답습 or 답안지 are not read as answers.
    if (keyword != U"정답" && !particle && !separators.colon && !separators.newline) return std::nullopt;
    std::optional<Token> token = answer_after(text, separators.end, options);
    if (!token) return std::nullopt;
    return Candidate{pos, token->index};
  }
  return std::nullopt;
}

// "answer:" / "answer is" (any case; "Final Answer:", "The correct answer is"), then a label.
std::optional<Candidate> english_phrase(TextView text, size_t pos, const Options& options) {
  static constexpr std::u32string_view kAnswer = U"answer";
  if (!continues_with(text, pos, kAnswer, true) || (pos > 0 && is_ascii_alpha(text[pos - 1]))) return std::nullopt;
  size_t p = pos + kAnswer.size();
  if (p < text.size() && is_ascii_alpha(text[p])) return std::nullopt;  // "answers", "answered"
  Separators separators = skip_separators(text, p);
  bool introduced = separators.colon || separators.newline;
  if (continues_with(text, separators.end, TextView(U"is"), true) &&
      (separators.end + 2 == text.size() || !is_ascii_alpha(text[separators.end + 2]))) {
    separators = skip_separators(text, separators.end + 2);
    introduced = true;
  }
  if (!introduced) return std::nullopt;
  std::optional<Token> token = answer_after(text, separators.end, options);
  if (!token) return std::nullopt;
  return Candidate{pos, token->index};
}

// Postfix: "B가 정답입니다", "2번이 정답이다", "(C)가 정답." — affirmative endings only, so
// "A가 정답이 아닙니다" is not read as A.
std::optional<Candidate> postfix_phrase(TextView text, size_t pos, const Options& options) {
  if (pos > 0 && !is_space(text[pos - 1]) && !is_open_wrapper(text[pos - 1]) && text[pos - 1] != U':')
    return std::nullopt;
  std::optional<Token> token = label_token(text, pos, options);
  if (!token) return std::nullopt;
  size_t p = token->end;
  if (p >= text.size() || (text[p] != U'가' && text[p] != U'이')) return std::nullopt;
  p = skip_spaces(text, p + 1);
  if (!continues_with(text, p, TextView(U"정답"))) return std::nullopt;
  p += 2;
  static constexpr std::array<std::u32string_view, 5> kEndings = {U"입니다", U"이다", U"임", U"이에요", U"예요"};
  bool affirmative = p == text.size() || text[p] == U'.' || text[p] == U'!' || is_newline(text[p]);
  for (TextView ending : kEndings) affirmative = affirmative || continues_with(text, p, ending);
  if (!affirmative) return std::nullopt;
  return Candidate{pos, token->index};
}

// "\text{B}" and the like unwrapped, for a box's content.
TextView unwrap_text_commands(TextView text) {
  static constexpr std::array<std::u32string_view, 5> kCommands = {U"\\textbf", U"\\text", U"\\mathrm", U"\\mathbf",
                                                                   U"\\mbox"};
  for (bool changed = true; changed;) {
    changed = false;
    size_t begin = 0;
    while (begin < text.size() && is_space(text[begin])) ++begin;
    size_t end = text.size();
    while (end > begin && is_space(text[end - 1])) --end;
    text = text.substr(begin, end - begin);
    for (TextView command : kCommands) {
      if (!continues_with(text, 0, command) || command.size() >= text.size() || text[command.size()] != U'{') continue;
      auto content = braced_content(text, command.size());
      if (content && content->second + 1 == text.size()) {
        text = text.substr(content->first, content->second - content->first);
        changed = true;
      }
      break;
    }
  }
  return text;
}

// Where the box at `pos` opens: "\boxed{" or "\fbox{", spaces allowed before '{'.
template <class View>
std::optional<size_t> box_open(View text, size_t pos) {
  static constexpr std::array<std::string_view, 2> kBoxes = {"\\boxed", "\\fbox"};
  for (std::string_view box : kBoxes) {
    bool match = pos + box.size() <= text.size();
    for (size_t i = 0; match && i < box.size(); ++i) match = text[pos + i] == static_cast<unsigned char>(box[i]);
    if (!match) continue;
    size_t p = pos + box.size();
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
    if (p < text.size() && text[p] == '{') return p;
  }
  return std::nullopt;
}

std::optional<Candidate> boxed_phrase(TextView text, size_t pos, const Options& options) {
  std::optional<size_t> open = box_open(text, pos);
  if (!open) return std::nullopt;
  auto content = braced_content(text, *open);
  if (!content) return std::nullopt;
  int index = bare_choice(unwrap_text_commands(text.substr(content->first, content->second - content->first)), options);
  if (index < 0) return std::nullopt;
  return Candidate{pos, index};
}

}  // namespace

std::string strip_reasoning(std::string_view response) {
  std::string out;
  size_t pos = 0;
  while (std::optional<Tag> tag = next_tag(response, pos)) {
    if (tag->closing) {  // no opening tag before it: the prompt opened the block
      out.clear();
      pos = tag->end;
      continue;
    }
    out.append(response.substr(pos, tag->begin - pos));
    std::optional<Tag> close = next_tag(response, tag->end);
    while (close && !(close->closing && close->name == tag->name)) close = next_tag(response, close->end);
    if (!close) return "";  // reasoning never finished
    pos = close->end;
  }
  out.append(response.substr(pos));
  return python_strip(out);
}

int extract_choice(std::string_view response, const std::vector<std::string>& labels) {
  Options options = prepare_options(labels);
  Text text = prepare(strip_reasoning(response));
  std::optional<Candidate> last;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    for (auto phrase : {korean_phrase, english_phrase, postfix_phrase, boxed_phrase}) {
      if (std::optional<Candidate> candidate = phrase(text, pos, options)) last = candidate;
    }
  }
  if (last) return last->index;
  return bare_choice(text, options);
}

std::optional<std::string> extract_boxed(std::string_view text) {
  std::optional<size_t> last_open;
  for (size_t pos = text.find('\\'); pos != std::string_view::npos; pos = text.find('\\', pos + 1)) {
    if (std::optional<size_t> open = box_open(text, pos)) last_open = open;
  }
  if (!last_open) return std::nullopt;
  auto content = braced_content(text, *last_open);
  if (!content) return std::nullopt;  // cut off inside the last box
  return std::string(text.substr(content->first, content->second - content->first));
}

std::optional<std::string> extract_boxed_answer(std::string_view response) {
  return extract_boxed(strip_reasoning(response));
}

}  // namespace dokpa
