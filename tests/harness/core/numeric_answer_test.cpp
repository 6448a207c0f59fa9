// HRM8K's numeric answer normalisation and comparison (harness/score/answer_extraction.h).
#include <string>

#include "harness/score/answer_extraction.h"
#include "tests/test_support.h"

using namespace dokpa;

TEST_CASE("normalize_numeric_answer gives the canonical exact value", "[score][numeric]") {
  struct Case {
    std::string answer;
    std::string expected;
  };
  const Case cases[] = {
      {"3", "3"},
      {"3.0", "3"},
      {"003.500", "3.5"},
      {"-0", "0"},
      {"-0.0", "0"},
      {".5", "0.5"},
      {"-.25", "-0.25"},
      {"+5", "5"},
      {"5.", "5"},
      {" 42 ", "42"},
      {"1,000", "1000"},
      {"12,345,678.9", "12345678.9"},
      {"1 000", "1000"},
      {"$1,000.00", "1000"},
      {"\\$18", "18"},
      {"$\\frac{1}{2}$", "0.5"},
      {"1/2", "0.5"},
      {"2/6", "1/3"},
      {"-3/4", "-0.75"},
      {"\\frac{3}{4}", "0.75"},
      {"\\dfrac{1}{3}", "1/3"},
      {"\\tfrac{2}{4}", "0.5"},
      {"\\frac12", "0.5"},
      {"-\\frac{1}{8}", "-0.125"},
      {"\\frac{-1}{8}", "-0.125"},
      {"\\frac{0.5}{2}", "0.25"},
      {"{7}", "7"},
      {"x = 3", "3"},
      {"x=\\frac{5}{2}", "2.5"},
      {"50\\%", "50"},
      {"50%", "50"},
      {"90^\\circ", "90"},
      {"90^{\\circ}", "90"},
      {"90\xC2\xB0", "90"},
      {"5\\text{ cm}", "5"},
      {"\\text{5}", "5"},
      {"\\textbf{12}", "12"},
      {"1e3", "1000"},
      {"2.5E-2", "0.025"},
      {"\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93", "123"},  // full-width １２３
      {"\xE2\x88\x92"
       "7",
       "-7"},  // U+2212 minus sign
      {"1{,}000", "1000"},
      {"1\\,000", "1000"},
      {"3.", "3"},
      {"340282366920938463463374607431768211455", "340282366920938463463374607431768211455"},
      {"0.1234567890123456789", "0.1234567890123456789"},
  };
  for (const Case& c : cases) {
    INFO("answer: [" << c.answer << "]");
    std::optional<std::string> value = normalize_numeric_answer(c.answer);
    REQUIRE(value.has_value());
    CHECK(*value == c.expected);
  }
}

TEST_CASE("normalize_numeric_answer refuses what is not one number", "[score][numeric]") {
  for (std::string answer : {"",
                             " ",
                             "abc",
                             "\\sqrt{2}",
                             "1,2",
                             "1,00",
                             ",5",
                             "3, 4",
                             "1/2/3",
                             "1/0",
                             "\\frac{1}{0}",
                             "2\\frac{1}{2}",
                             "\\pi",
                             "18달러",
                             "x",
                             "--3",
                             "1e",
                             "e5",
                             ".",
                             "-",
                             "\\frac{1}{2",
                             "340282366920938463463374607431768211456",
                             "\\text{cm}",
                             "(3)",
                             "\\left(3\\right)",
                             "3+4"}) {
    INFO("answer: [" << answer << "]");
    CHECK_FALSE(normalize_numeric_answer(answer).has_value());
  }
}

TEST_CASE("numeric_answers_match compares exact values, and strings for non-numeric golds", "[score][numeric]") {
  CHECK(numeric_answers_match("3.0", "3"));
  CHECK(numeric_answers_match("3", "3.0"));
  CHECK(numeric_answers_match("1/2", "0.5"));
  CHECK(numeric_answers_match("\\frac{1}{2}", "0.5"));
  CHECK(numeric_answers_match("\\dfrac{2}{4}", "1/2"));
  CHECK(numeric_answers_match("1,000", "1000"));
  CHECK(numeric_answers_match("$1,000", "1000"));
  CHECK(numeric_answers_match("x = 18", "18"));
  CHECK(numeric_answers_match("18.", "18"));
  CHECK(numeric_answers_match("+18", "18"));
  CHECK(numeric_answers_match("25\\%", "25"));
  CHECK(numeric_answers_match("0.3333333333", "0.3333333333"));
  CHECK_FALSE(numeric_answers_match("0.3333333333", "1/3"));  // exact, not within a tolerance
  CHECK_FALSE(numeric_answers_match("3.01", "3"));
  CHECK_FALSE(numeric_answers_match("-3", "3"));
  CHECK_FALSE(numeric_answers_match("abc", "3"));
  CHECK_FALSE(numeric_answers_match("", "3"));
  CHECK_FALSE(numeric_answers_match("1,2", "12"));
  CHECK_FALSE(numeric_answers_match("50", "0.5"));  // a percent sign is dropped, not divided by 100
  // Golds that are not numbers: NFC and Python-strip, then equal strings.
  CHECK(numeric_answers_match(" \\sqrt{2} ", "\\sqrt{2}"));
  CHECK_FALSE(numeric_answers_match("\\sqrt{3}", "\\sqrt{2}"));
  CHECK(numeric_answers_match("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "한"));  // NFD 한 == NFC 한
  CHECK_FALSE(numeric_answers_match("3", "(3)"));
}
