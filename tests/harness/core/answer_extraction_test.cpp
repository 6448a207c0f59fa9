// Option extraction and reasoning removal (harness/score/answer_extraction.h). Every response
// here was written for this test; none is a benchmark item.
#include <string>
#include <vector>

#include "harness/score/answer_extraction.h"
#include "tests/test_support.h"

using namespace dokpa;

namespace {

const std::vector<std::string> kAbcd = {"A", "B", "C", "D"};
const std::vector<std::string> kAtoE = {"A", "B", "C", "D", "E"};
const std::vector<std::string> kAtoJ = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"};
const std::vector<std::string> kNumbers = {"1", "2", "3", "4", "5"};
const std::vector<std::string> kTenNumbers = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};

struct Case {
  std::string response;
  int expected;
};

void check_all(const std::vector<Case>& cases, const std::vector<std::string>& labels) {
  for (const Case& c : cases) {
    INFO("response: [" << c.response << "]");
    CHECK(extract_choice(c.response, labels) == c.expected);
  }
}

}  // namespace

TEST_CASE("extract_choice reads a bare option label in its usual dresses", "[score][extraction]") {
  check_all({{"B", 1},
             {"  B \n", 1},
             {"(B)", 1},
             {"B.", 1},
             {"B)", 1},
             {"[B]", 1},
             {"**B**", 1},
             {"`B`", 1},
             {"'B'", 1},
             {"「B」", 1},
             {"\xEF\xBC\xA2", 1},                          // full-width Ｂ
             {"\xEF\xBC\x88\xEF\xBC\xA3\xEF\xBC\x89", 2},  // full-width （Ｃ）
             {"b", 1},
             {"(d)", 3},
             {"B. 서울", 1},
             {"B) 서울특별시", 1},
             {"(B) 서울", 1},
             {"**C. 부산**", 2},
             {"B: 서울", 1},
             {"D\n\n해설: 나머지 보기는 모두 틀렸다.", 3},
             {"C. 대구\nC가 유일하게 광역시가 아니다.", 2},
             {"B입니다.", 1},
             {"B입니다", 1},
             {"C이다", 2},
             {"A예요", 0}},
            kAbcd);
}

TEST_CASE("extract_choice reads explicit Korean answer phrases", "[score][extraction]") {
  check_all({{"정답은 B", 1},
             {"정답: B", 1},
             {"정답 : B", 1},
             {"정답 B", 1},
             {"정답：C", 2},  // U+FF1A as in lm-eval's KMMLU prompt
             {"정답은 (B)입니다.", 1},
             {"정답은 B입니다.", 1},
             {"정답은 B 입니다", 1},
             {"정답은 'D'입니다", 3},
             {"정답은 바로 C입니다!", 2},
             {"정답은 보기 D입니다.", 3},
             {"답: B", 1},
             {"답은 A", 0},
             {"답변: C", 2},
             {"최종 답: D", 3},
             {"해답: C", 2},
             {"최종 정답은 A입니다.", 0},
             {"**정답:** B", 1},
             {"**정답: C**", 2},
             {"### 정답\n\n**D**", 3},
             {"문제를 살펴보면 A는 틀렸고 C도 틀렸다. 따라서 정답은 B이다.", 1},
             {"B가 정답입니다.", 1},
             {"따라서 (C)가 정답이다.", 2},
             {"정답은 b입니다", 1},
             {"정답: A. 서울", 0},
             {"정답은 B, A는 오답이다.", 1}},
            kAbcd);
}

TEST_CASE("extract_choice reads English answer phrases and boxes", "[score][extraction]") {
  check_all({{"Answer: B", 1},
             {"answer: c", 2},
             {"The answer is B", 1},
             {"The answer is B because the others are wrong.", 1},
             {"The correct answer is **(D)**.", 3},
             {"Final Answer: A", 0},
             {"The answer is: (C)", 2},
             {"The answer is option B.", 1},
             {"\\boxed{B}", 1},
             {"so the result is $\\boxed{C}$.", 2},
             {"\\boxed{\\text{D}}", 3},
             {"\\boxed{(A)}", 0},
             {"\\fbox{B}", 1},
             {"Let me think. A is wrong. Therefore \\boxed{C}", 2}},
            kAbcd);
}

TEST_CASE("extract_choice takes the last explicit phrase, and phrases over stray letters", "[score][extraction]") {
  check_all({{"정답은 A입니다. 아니, 다시 생각해 보니 정답은 C입니다.", 2},
             {"Answer: A\nWait, that is wrong.\nAnswer: D", 3},
             {"정답: B\n\n최종 정답은 \\boxed{D}", 3},
             {"\\boxed{A} ... 다시 확인하면 정답은 B", 1},
             {"A. 서울\nB. 부산\nC. 대구\nD. 광주\n정답은 C", 2},
             {"A is tempting, but the answer is D.", 3},
             {"B. 서울이 맞을 것 같지만 정답은 A입니다.", 0}},
            kAbcd);
}

TEST_CASE("extract_choice maps circled numbers to option positions", "[score][extraction]") {
  check_all({{"답: ②", 1}, {"정답은 ④번입니다.", 3}, {"①", 0}, {"③ 서울", 2}}, kAbcd);
  check_all({{"정답은 ⑩", 9}, {"⑦", 6}}, kAtoJ);
  CHECK(extract_choice("정답은 ⑤", kAbcd) == -1);  // only four options
}

TEST_CASE("extract_choice reads numbered options and KoBALT's ten letters", "[score][extraction]") {
  check_all({{"2", 1},
             {"(3)", 2},
             {"정답은 2번입니다.", 1},
             {"정답: 4번", 3},
             {"2번이 정답입니다.", 1},
             {"5.", 4},
             {"답: ③", 2},
             {"2번", 1},
             {"정답 번호는 3번입니다.", 2}},
            kNumbers);
  check_all({{"10", 9}, {"정답은 10번", 9}, {"1", 0}, {"(10)", 9}}, kTenNumbers);
  check_all({{"J", 9}, {"정답은 I입니다.", 8}, {"(G)", 6}, {"Answer: H", 7}, {"E. 주어", 4}}, kAtoJ);
}

TEST_CASE("extract_choice refuses to guess from prose or impossible answers", "[score][extraction]") {
  check_all({{"", -1},
             {"   ", -1},
             {"A lot of people think so.", -1},
             {"I think it is B", -1},
             {"B 서울", -1},
             {"A는 틀렸다.", -1},
             {"Bus", -1},
             {"E", -1},  // not one of four options
             {"정답은 E입니다", -1},
             {"정답은 다음과 같습니다.", -1},
             {"정답률이 높은 문제이다.", -1},
             {"정답은 A가 아니라 B입니다.", -1},  // negated phrase: no candidate, and not a bare label
             {"A가 정답이 아닙니다.", -1},
             {"정답은 A, C입니다.", -1},
             {"정답은 A와 C", -1},
             {"정답은 A와 C입니다.", -1},
             {"The answer is A or B.", -1},
             {"A, B", -1},
             {"the answer is a bit unclear", -1},
             {"답장을 보냈다. A", -1},
             {"답안지 A형", -1},
             {"A) 서울\nB) 부산\nC) 대구", -1},
             {"\\boxed{B", -1},  // unbalanced box: no phrase, and not a bare label
             {"\\boxed{42}", -1},
             {"Answer: none of them", -1},
             {"A. 서울\nB. 부산\nC. 대구\nD. 광주", -1},  // the options echoed back
             {"(A) 서울\n(B) 부산", -1},
             {"2", -1}},  // digits do not stand for letters
            kAbcd);
  check_all({{"B", -1}, {"2.5", -1}, {"20", -1}, {"정답은 2,000", -1}}, kNumbers);
  CHECK(extract_choice("A", {}) == -1);
}

TEST_CASE("extract_choice normalises Unicode before matching", "[score][extraction]") {
  // 정답 in conjoining jamo (NFD) reads like the precomposed syllables.
  std::string nfd =
      "\xE1\x84\x8C\xE1\x85\xA5\xE1\x86\xBC\xE1\x84\x83\xE1\x85\xA1\xE1\x86\xB8\xE1\x84\x8B\xE1\x85\xB3\xE1\x86\xAB B";
  CHECK(extract_choice(nfd, kAbcd) == 1);
  CHECK(extract_choice("정답\xEF\xBC\x9A\xEF\xBC\xA4", kAbcd) == 3);     // 정답：Ｄ
  CHECK(extract_choice(std::string("B") + "\xE3\x80\x80", kAbcd) == 1);  // ideographic space
  CHECK(extract_choice("\xFF\xFE B", kAbcd) == -1);                      // invalid UTF-8 does not throw
  CHECK(extract_choice("정답은 B \xFF", kAbcd) == 1);
}

TEST_CASE("extract_choice removes reasoning before reading the answer", "[score][extraction][reasoning]") {
  check_all({{"<think>정답은 A인 것 같다. 아니다.</think>정답은 C입니다.", 2},
             {"<think>The answer is A</think>\nB", 1},
             {"<think>B가 정답일까?</think>", -1},
             {"정답은 A일까... 다시 보자</think>\n정답: D", 3},  // opening tag was in the prompt
             {"<think>정답은 B입니다. 그런데", -1},              // never finished reasoning
             {"<reasoning>A</reasoning>C", 2},
             {"<THINKING>A</THINKING> **D**", 3},
             {"<thought>\nA?\n</thought>\nB", 1}},
            kAbcd);
}

TEST_CASE("strip_reasoning removes blocks, drops text before a lone closing tag and empties unfinished reasoning",
          "[score][extraction][reasoning]") {
  CHECK(strip_reasoning("no tags here ") == "no tags here");
  CHECK(strip_reasoning("<think>x</think>answer") == "answer");
  CHECK(strip_reasoning("before <think>x</think> after") == "before  after");
  CHECK(strip_reasoning("<think>a</think>one<think>b</think>two") == "onetwo");
  CHECK(strip_reasoning("reasoning from the prompt</think>\n\nfinal") == "final");
  CHECK(strip_reasoning("<think>still thinking") == "");
  CHECK(strip_reasoning("<think>a</think>x<think>b") == "");
  CHECK(strip_reasoning("<thinking>a</thinking>B") == "B");
  CHECK(strip_reasoning("<Think>a</THINK>B") == "B");
  CHECK(strip_reasoning("<think>a<reasoning>b</reasoning>c</think>d") == "d");
  CHECK(strip_reasoning("<think>a</thinking>b") == "");  // a different closing tag does not close it
  CHECK(strip_reasoning("x < y and <b>bold</b>") == "x < y and <b>bold</b>");
  CHECK(strip_reasoning("<thinker>B") == "<thinker>B");
  CHECK(strip_reasoning("") == "");
}

TEST_CASE("extract_boxed returns the last balanced box", "[score][extraction][boxed]") {
  CHECK(extract_boxed("\\boxed{42}") == "42");
  CHECK(extract_boxed("$\\boxed{\\frac{1}{2}}$") == "\\frac{1}{2}");
  CHECK(extract_boxed("\\boxed{1} then \\boxed{2}") == "2");
  CHECK(extract_boxed("\\boxed{\\sqrt{\\frac{a}{b}}} and more") == "\\sqrt{\\frac{a}{b}}");
  CHECK(extract_boxed("\\boxed{\\{1, 2\\}}") == "\\{1, 2\\}");
  CHECK(extract_boxed("\\boxed {7}") == "7");
  CHECK(extract_boxed("\\fbox{8}") == "8");
  CHECK(extract_boxed("\\boxed{1} \\fbox{9}") == "9");
  CHECK(extract_boxed("\\fbox{9} \\boxed{1}") == "1");
  CHECK(extract_boxed("\\boxed{}") == "");
  CHECK(extract_boxed("\\boxed{x = 3}") == "x = 3");
  CHECK(extract_boxed("정답은 \\boxed{18}개입니다.") == "18");
  CHECK_FALSE(extract_boxed("no box here").has_value());
  CHECK_FALSE(extract_boxed("\\boxed{1} \\boxed{2").has_value());  // the last box is cut off
  CHECK_FALSE(extract_boxed("\\boxed{\\frac{1}{2}").has_value());
  CHECK_FALSE(extract_boxed("\\boxed 5").has_value());
  CHECK(extract_boxed("\\boxed{3} and the word \\boxed alone") == "3");
  CHECK(extract_boxed_answer("<think>\\boxed{1}</think>\\boxed{2}") == "2");
  CHECK_FALSE(extract_boxed_answer("<think>\\boxed{1}").has_value());
}
