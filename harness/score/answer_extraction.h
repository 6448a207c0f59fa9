#pragma once
// Answer extraction for generative tasks (DESIGN.md: "answer extraction is explicit and tested"):
// reasoning removal, the option a response names, the last \boxed{} and HRM8K's numeric match.
// Pure functions of their arguments: no locale, no regex engine state, no torch.
//
// Reasoning (strip_reasoning). Tags, ASCII case-insensitive: <think>, <thinking>, <thought>
// (EXAONE Deep) and <reasoning>, each closed by its own closing tag.
//   - a complete block <tag>...</tag> is removed; text around blocks is kept;
//   - a closing tag with no opening tag before it (the chat template put the opening tag in the
//     prompt) drops everything before it;
//   - an opening tag never closed means the model never finished reasoning: the result is ""
//     (nothing to extract, the item scores 0) rather than a guess from half-finished thoughts;
//   - the result is python_strip()ped. Text without tags is returned stripped, otherwise as is.
//
// Options (extract_choice). After strip_reasoning the text is NFC-normalised and full-width
// ASCII (Ｂ, （, ：) folded to ASCII. Then:
//   1. Explicit answer phrases; when several name an option, the LAST one wins (models restate
//      and correct themselves; the conclusion comes last):
//        정답 with optional 은·는, ':' or spaces (정답은 B, 정답: B, 정답 B, 정답： B, **정답:** B,
//        ### 정답\nB, 정답은 (B)입니다); 답, 답변, 답안 only with 은·는, ':' or a line break
//        (답: ②, 최종 답: D, 해답: C — but not 답장 or 답안지); "answer" followed by ':', "is"
//        or a line break, any case (Answer: B, The answer is B, Final Answer: (B)); each may
//        go on with 바로/보기/선택지/번호/option/choice before the label; the postfix form
//        "B가 정답입니다" / "2번이 정답이다" / "(C)가 정답." (affirmative endings only); and
//        \boxed{B} / \fbox{B}, whose content must be a bare label as in 2 (\text{} unwrapped).
//   2. Without any phrase, only a response that is essentially the label: "B", "(B)", "B.",
//      "B)", "[B]", "**B**", "`B`", "Ｂ", "2번", "B입니다." (copula), or a label followed by a
//      closing bracket, ". ", ": " or a line break and then anything ("B. 서울", "(B) 서울",
//      "B\n\n해설: ..."). A label followed by a space and more words ("A lot of ...", "B 서울")
//      or by Hangul that is not a copula ("A는 틀렸다") is prose: -1. So is a list of options
//      echoed back ("A. 서울\nB. 부산"). Letters inside prose are never guessed from.
// A label is matched without ASCII case, longest label first ("10" before "1"), optionally
// wrapped in ( ) [ ] { } * _ ` ' " 「 」 『 』 【 】 and, for digit labels, followed by 번; it
// must not run on into ASCII letters or digits ("Bus" is not B, "20" is not 2, "2.5" is not
// 2). A letter in the other case counts only when wrapped or followed by something other than
// a space ("정답은 b입니다", "(b)", "b." yes; "the answer is a bit long" no). Circled numbers
// ①..⑩ name the 1st..10th option whatever the labels are; digits never stand for letters or
// the reverse. A label that is denied (정답은 A가 아니라 ...) or listed with another
// (A, C / A와 C / A or B) is no candidate. Returns -1 when nothing qualifies.
//
// Compared with lm-evaluation-harness 0.4.13 (the version in the project venv; kobalt only in
// its newer upstream tree), lm_eval/tasks/...:
//   - kmmlu/direct: no extraction; exact_match of the raw generation, stopped at the first "."
//     or blank line, ignoring case, punctuation and spaces, so only a bare label ("B", "(B)",
//     "b", "B. 서울" cut at '.') scores. dokpa accepts those too and is looser beyond them:
//     phrases ("정답은 B" scores 0 there), copulas, option text after "(B) ".
//   - kormedmcqa (utils.py, the paper's appendix-B cascade; generation also stopped at "."):
//     정답[:\s]*([A-E]), then 정답은\s*([A-E])\s*입니다 (last match of the first pattern that
//     matches), then \b([A-E])\. and \b([A-E])\b anywhere, ignoring case — so "A lot of..." is A
//     and the article "a" in prose is A. dokpa keeps the phrase step and drops the stray-letter
//     fallback: a guess from prose rewards verbose non-answers by chance (1 in 5).
//   - kmmlu/cot_hard: regex (?<=정답은)\s*[(]?(A|B|C|D)[)]?.*(?=입니다.) then take_first: the
//     FIRST match. dokpa takes the LAST phrase, since chain-of-thought restates options before
//     concluding; it also accepts "정답: B", English phrases and \boxed{}.
//   - kobalt: lm-eval scores log-likelihoods of "(1)".."(10)"; it has no generative
//     extraction. dokpa's generative protocol reads letters A–J as above.
//   - lm-eval has no reasoning-tag handling in these tasks; dokpa strips it first.
//
// \boxed (extract_boxed): the content of the last \boxed{...} or \fbox{...} (whichever comes
// last; spaces allowed before '{'), braces balanced with \{ and \} not counted. If that last
// one is unbalanced (a truncated generation), there is no answer: earlier boxes are not used.
// lm-eval's hrm8k takes the last \boxed, and \fbox only when there is no \boxed at all.
//
// HRM8K numbers (normalize_numeric_answer / numeric_answers_match). After NFC, full-width
// folding and U+2212 → '-':
//   - everything up to the last '=' is dropped ("x = 3" → 3; lm-eval's remove_boxed does so);
//   - removed: '$' and "\$", LaTeX spacing (\! \, \; \: "\ "), \left \right, degree marks
//     (^\circ, ^{\circ}, °), "\%" and '%' (lm-eval's MATH rules drop "\%"; dokpa drops a bare
//     '%' too: "50%" == "50", not 0.5), "{,}" becomes ',', all white space, a leading '+' and
//     trailing '.';
//   - \text{..} \textbf{..} \mathrm{..} \mbox{..}: unwrapped when the content is numeric,
//     otherwise removed as a unit ("5\text{ cm}" → 5);
//   - commas are thousands separators only in valid groups of three ("1,000", "12,345.5");
//     any other comma ("1,2", a list) makes the answer non-numeric;
//   - accepted forms: an integer or decimal with optional exponent ("3", "-0.50", ".5", "1e3"),
//     a/b of two such numbers, \frac{a}{b} \dfrac \tfrac (and \frac12 shorthand), with a sign
//     inside or outside, in optional outer braces;
//   - values are exact rationals (128-bit numerator and denominator, reduced); canonical text:
//     the exact decimal when the denominator divides a power of ten ("0.5", "-3", "1000"),
//     else "p/q". Too many digits for 128 bits → not numeric (string comparison instead).
// A numeric gold matches a prediction with the same rational value ("3.0" == "3",
// "1/2" == "0.5" == "\frac{1}{2}", "1,000" == "1000"). A gold that is not numeric is compared
// as NFC(python_strip()) strings, the exact_match rule.
// HRM8K's authors (github.com/gauss5930/HRM8K src/score.py) accept the first \boxed{} holding
// digits and commas, or the last number of the last line, compared as floats. lm-eval's hrm8k
// (default/utils.py, run under 0.4.13) takes the last \boxed, else the last $...$, else the
// last number, applies the MATH _strip_string rules and compares strings after a float()
// canonicalisation: "3.0" == "3" and "1/2" == "0.5" (a special case) match there, but
// "1,000" != "1000", "1/4" != "0.25" and "50%" != "50". dokpa requires \boxed (the prompt asks
// for it; no fallback to stray numbers in the working), compares exact values, and strips
// commas like the authors. For non-numeric golds (LaTeX expressions in the MATH subsets)
// lm-eval's _strip_string also equates spacing, \dfrac/\frac and \sqrt3/\sqrt{3} variants;
// dokpa's plain string rule does not.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dokpa {

// The response without reasoning blocks (rules above); "" when reasoning never ended.
std::string strip_reasoning(std::string_view response);

// 0-based index into `labels` of the option the response names, or -1 when none can be read
// reliably. `labels` are the option labels as shown in the prompt ("A".."J" or "1".."N");
// applies strip_reasoning first.
int extract_choice(std::string_view response, const std::vector<std::string>& labels);

// Content of the last \boxed{...} / \fbox{...} in `text` (no reasoning removal), or none.
std::optional<std::string> extract_boxed(std::string_view text);

// extract_boxed(strip_reasoning(response)): the final boxed answer of a model response.
std::optional<std::string> extract_boxed_answer(std::string_view response);

// Canonical text of the exact value of a numeric answer ("3", "0.5", "1/3"), or none when the
// answer is not a number under the rules above.
std::optional<std::string> normalize_numeric_answer(std::string_view answer);

// HRM8K's comparison of an extracted prediction with the gold answer (rules above).
bool numeric_answers_match(std::string_view prediction, std::string_view gold);

}  // namespace dokpa
