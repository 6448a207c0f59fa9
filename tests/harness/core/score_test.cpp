#include <cmath>

#include "common/error.h"
#include "harness/score/score.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {

PlannedTask mc_task(std::vector<std::string> metrics = {"acc", "acc_norm"}) {
  PlannedTask task;
  task.name = "mc";
  task.type = OutputType::MultipleChoice;
  task.metrics = std::move(metrics);
  return task;
}

PlannedItem mc_item(std::vector<std::string> choices, int gold) {
  PlannedItem item{"mc", "0", std::move(choices), gold, "", 0, 0};
  item.request_count = item.choices.size();
  return item;
}

std::vector<LoglikelihoodResult> results(std::vector<double> logprobs) {
  std::vector<LoglikelihoodResult> out;
  for (double lp : logprobs) out.push_back({lp, false, 1, {}});
  return out;
}

}  // namespace

TEST_CASE("score: argmax takes the first maximum, like numpy", "[score]") {
  CHECK(argmax(std::vector<double>{-2.0, -1.0, -1.0, -3.0}) == 1);
  CHECK(argmax(std::vector<double>{-1.0, -1.0}) == 0);
  CHECK(argmax(std::vector<double>{-1.0, NAN, 0.0}) == 1);
  CHECK(argmax(std::vector<double>{}) == -1);
}

TEST_CASE("score: acc and acc_norm with Korean choices (code points, not bytes)", "[score]") {
  PlannedTask task = mc_task();
  // 아니오 is 3 code points (9 bytes), 예 is 1 (3 bytes); logprobs -3.0 and -2.0.
  // acc: argmax(-3, -2) = 1 (예). acc_norm: -3/3 = -1.0 vs -2/1 = -2.0 -> 0 (아니오).
  PlannedItem item = mc_item({"아니오", "예"}, 0);
  ItemScore s = score_multiple_choice(task, item, results({-3.0, -2.0}));
  CHECK(s.predicted_index == 1);
  CHECK(s.prediction == "예");
  CHECK(s.metric("acc") == 0.0);
  CHECK(s.metric("acc_norm") == 1.0);

  // Here bytes and code points disagree: "ab" is 2 code points / 2 bytes, "가" 1 / 3.
  // logprobs -3.0, -2.0: per code point -1.5 vs -2.0 -> 0; per byte -1.5 vs -0.67 -> 1.
  PlannedItem mixed = mc_item({"ab", "가"}, 0);
  ItemScore m = score_multiple_choice(task, mixed, results({-3.0, -2.0}));
  CHECK(m.metric("acc") == 0.0);
  CHECK(m.metric("acc_norm") == 1.0);  // lm-eval's completion_len counts characters

  // Ties go to the lowest index for both metrics.
  PlannedItem tie = mc_item({"A", "B", "C", "D"}, 0);
  ItemScore t = score_multiple_choice(task, tie, results({-1.0, -1.0, -2.0, -1.0}));
  CHECK(t.metric("acc") == 1.0);
  CHECK(t.metric("acc_norm") == 1.0);

  REQUIRE_THROWS_WITH(score_multiple_choice(task, tie, results({-1.0})), Contains("4 choices but 1 results"));
}

TEST_CASE("score: exact_match compares NFC-normalised, stripped text", "[score]") {
  PlannedTask task;
  task.name = "gen";
  task.type = OutputType::Generate;
  task.metrics = {"exact_match"};
  PlannedItem item;
  item.task = "gen";
  item.item_id = "capital";
  item.gold_text = "서울";
  CHECK(score_generate(task, item, {" 서울\n", 2, "stop", {}}).metric("exact_match") == 1.0);
  // Decomposed jamo (ᄉ ᅥ ᄋ ᅮ ᆯ) normalise to the same syllables.
  CHECK(score_generate(task, item, {"\u1109\u1165\u110b\u116e\u11af", 2, "stop", {}}).metric("exact_match") == 1.0);
  CHECK(score_generate(task, item, {"서울입니다", 3, "stop", {}}).metric("exact_match") == 0.0);
  CHECK(score_generate(task, item, {"서울입니다", 3, "stop", {}}).prediction == "서울입니다");
  CHECK(answers_match("\u3000 7 ", "7"));
}

TEST_CASE("score: task mean and stderr follow lm-eval's mean_stderr", "[score]") {
  // values 1,0,1,1: mean 0.75; sample variance = (3*0.0625 + 0.5625)/3 = 0.25; stderr = sqrt(0.25/4) = 0.25.
  MetricSummary s = summarize_metric("acc", std::vector<double>{1, 0, 1, 1});
  CHECK(s.mean == 0.75);
  CHECK(s.standard_error == Approx(0.25).epsilon(1e-15));
  CHECK(s.n == 4);
  // 1,0,0: mean 1/3, sample variance 1/3, stderr = sqrt(1/9) = 1/3.
  CHECK(summarize_metric("acc", std::vector<double>{1, 0, 0}).standard_error == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(std::isnan(summarize_metric("acc", std::vector<double>{1}).standard_error));
  CHECK(summarize_metric("acc", std::vector<double>{1, 1}).standard_error == 0.0);

  PlannedTask task = mc_task({"acc"});
  std::vector<ItemScore> items;
  for (double v : {1.0, 0.0, 1.0, 1.0}) items.push_back({"mc", "x", 0, 0, "", {{"acc", v}}});
  TaskScore ts = summarize_task(task, items);
  REQUIRE(ts.find("acc") != nullptr);
  CHECK(ts.find("acc")->mean == 0.75);
  CHECK(ts.find("acc_norm") == nullptr);
}

TEST_CASE("score: macro and micro averages are different and named", "[score]") {
  std::vector<TaskScore> tasks = {
      {"a", {{"acc", 1.0, 0.0, 2}}},
      {"b", {{"acc", 0.5, 0.1, 8}}},
      {"c", {{"exact_match", 0.0, 0.0, 5}}},
  };
  GroupScore macro = average_tasks("kmmlu", "acc", Averaging::Macro, tasks);
  CHECK(macro.value == 0.75);  // (1.0 + 0.5) / 2
  CHECK(macro.tasks == 2);
  CHECK(macro.items == 10);
  GroupScore micro = average_tasks("kmmlu", "acc", Averaging::Micro, tasks);
  CHECK(micro.value == Approx(0.6));  // (2 + 4) / 10
  CHECK(std::string(to_string(micro.averaging)) == "micro");
  REQUIRE_THROWS_WITH(average_tasks("g", "acc_norm", Averaging::Macro, tasks), Contains("no task has metric 'acc_norm'"));
}
