#include <set>

#include "common/error.h"
#include "harness/prompt/fewshot_sampler.h"
#include "harness/prompt/prompt_template.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {
Record record(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Record r;
  for (const auto& [name, value] : fields) r.add(name, std::string(value));
  return r;
}
}  // namespace

TEST_CASE("template: fields, filters and literal text", "[prompt][template]") {
  Record r = record({{"question", "  세종대왕은 누구인가? \n"}, {"A", "왕"}, {"word", "abc"}});
  CHECK(PromptTemplate("{{question|trim}}\nA. {{A}}\n정답：", "s.yaml", "task 't': prompt").render(r, "d.csv", "0") ==
        "세종대왕은 누구인가?\nA. 왕\n정답：");
  CHECK(PromptTemplate("[{{question}}]", "s", "c").render(r, "d", "0") == "[  세종대왕은 누구인가? \n]");
  CHECK(PromptTemplate("{{ word | upper }}-{{word|trim|upper}}", "s", "c").render(r, "d", "0") == "ABC-ABC");
  CHECK(PromptTemplate("no fields }} here", "s", "c").render(r, "d", "0") == "no fields }} here");
  CHECK_FALSE(PromptTemplate("A", "s", "c").has_fields());
  CHECK(PromptTemplate("{{A}}{{question}}{{A}}", "s", "c").fields() == std::vector<std::string>{"A", "question"});
}

TEST_CASE("template: errors name the task and the field", "[prompt][template]") {
  Record r = record({{"question", "q"}});
  PromptTemplate t("{{questoin}}", "smoke.yaml", "task 'kmmlu': prompt");
  REQUIRE_THROWS_WITH(t.render(r, "data.csv:2", "0"),
                      Contains("data.csv:2: task 'kmmlu': prompt: unknown field 'questoin' (item '0' has question)"));
  REQUIRE_THROWS_WITH(PromptTemplate("{{question|lower}}", "smoke.yaml", "task 'k': prompt"),
                      Contains("smoke.yaml: task 'k': prompt: unknown filter 'lower'"));
  REQUIRE_THROWS_WITH(PromptTemplate("{{question", "smoke.yaml", "task 'k': prompt"), Contains("unclosed '{{'"));
  REQUIRE_THROWS_WITH(PromptTemplate("{{ }}", "smoke.yaml", "task 'k': prompt"), Contains("does not name a field"));
  Record list;
  list.add("opts", std::vector<std::string>{"a", "b"});
  REQUIRE_THROWS_WITH(PromptTemplate("{{opts}}", "s", "task 'k': prompt").render(list, "d", "7"), Contains("is a list"));
}

TEST_CASE("splitmix64 matches the reference sequence", "[prompt][fewshot]") {
  // Vigna's splitmix64.c with x = 1234567: first outputs.
  SplitMix64 rng(1234567);
  CHECK(rng.next() == 6457827717110365317ULL);
  CHECK(rng.next() == 3203168211198807973ULL);
  CHECK(rng.next() == 9817491932198370423ULL);
  SplitMix64 bounded(42);
  for (int i = 0; i < 1000; ++i) CHECK(bounded.below(7) < 7);
}

TEST_CASE("few-shot: first_n takes the first rows, skipping the item itself", "[prompt][fewshot]") {
  FewShotSampler first(FewShotSamplerKind::FirstN, 3, 1234, "task");
  CHECK(first.select(10, "5", std::nullopt) == std::vector<size_t>{0, 1, 2});
  CHECK(first.select(10, "1", size_t{1}) == std::vector<size_t>{0, 2, 3});
  REQUIRE_THROWS_WITH(first.select(3, "0", size_t{0}), Contains("task 'task'") && Contains("only 2 rows"));
}

TEST_CASE("few-shot: seeded draws are deterministic and depend on seed, task and item", "[prompt][fewshot]") {
  FewShotSampler a(FewShotSamplerKind::Seeded, 5, 1234, "kmmlu");
  FewShotSampler same(FewShotSamplerKind::Seeded, 5, 1234, "kmmlu");
  FewShotSampler other_seed(FewShotSamplerKind::Seeded, 5, 4321, "kmmlu");
  FewShotSampler other_task(FewShotSamplerKind::Seeded, 5, 1234, "kobest");
  std::vector<size_t> shots = a.select(100, "17", size_t{17});
  CHECK(shots == same.select(100, "17", size_t{17}));
  CHECK(shots != other_seed.select(100, "17", size_t{17}));
  CHECK(shots != other_task.select(100, "17", size_t{17}));
  CHECK(shots != a.select(100, "18", size_t{18}));
  std::set<size_t> distinct(shots.begin(), shots.end());
  CHECK(distinct.size() == 5);
  CHECK_FALSE(distinct.count(17));
  for (size_t row : shots) CHECK(row < 100);
  // The item's own row is never drawn, whatever the seed.
  for (uint64_t seed = 0; seed < 50; ++seed) {
    FewShotSampler s(FewShotSamplerKind::Seeded, 4, seed, "t");
    auto rows = s.select(5, "2", size_t{2});
    CHECK(std::set<size_t>(rows.begin(), rows.end()) == std::set<size_t>{0, 1, 3, 4});
  }
}

TEST_CASE("few-shot: context layout matches lm-evaluation-harness", "[prompt][fewshot]") {
  std::vector<LabeledExample> shots = {{"Q1\n정답：", "B"}, {"Q2\n정답：", "D"}};
  CHECK(fewshot_context(shots, "Q3\n정답：", " ", "\n\n") == "Q1\n정답： B\n\nQ2\n정답： D\n\nQ3\n정답：");
  CHECK(fewshot_context({}, "Q3", " ", "\n\n") == "Q3");
}
