// The task features the Korean benchmarks need: generate_choice with option rotation, gold by
// text, record preprocessors, shot templates, lm-eval's sampler, groups and data checks.
#include <fstream>

#include "common/error.h"
#include "common/sha256.h"
#include "harness/plan/data_check.h"
#include "harness/plan/plan_builder.h"
#include "harness/score/score.h"
#include "suites/builtin_preprocessors.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

const char* kMcq =
    "question,answer,A,B,C,D\n"
    "대한민국의 수도는?,2,부산,서울,인천,대구\n"
    "물의 화학식은?,1,H2O,CO2,O2,NaCl\n";

std::filesystem::path make_dir(const std::string& name, const std::string& suite) {
  auto dir = test::scratch_dir(name);
  write(dir / "mcq.csv", kMcq);
  write(dir / "suite.yaml", suite);
  return dir;
}

Plan plan_of(const std::string& name, const std::string& suite) {
  suites::register_builtin_preprocessors();
  return build_plan(load_suite(make_dir(name, suite) / "suite.yaml"));
}

std::vector<GenerateResult> texts(std::initializer_list<const char*> responses) {
  std::vector<GenerateResult> out;
  for (const char* text : responses) out.push_back({text, 1, "stop", {}});
  return out;
}

const char* kHeader = "name: t\nversion: 1\nseed: 1234\ntasks:\n";

}  // namespace

TEST_CASE("generate_choice: prompts, labels, gold and extraction", "[plan][protocol]") {
  Plan plan = plan_of("gen_choice", std::string(kHeader) + R"(  - name: direct
    output: generate_choice
    dataset: {format: csv, path: mcq.csv}
    prompt: "{{question}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
    labels: [A, B, C, D]
    gold: {field: answer, base: 1}
    generation: {until: ["\n\n"], max_tokens: 16}
)");
  const PlannedTask& task = plan.tasks.at(0);
  CHECK(task.type == OutputType::GenerateChoice);
  CHECK(task.metrics == std::vector<std::string>{"exact_match"});
  REQUIRE(plan.requests.size() == 2);
  CHECK(plan.requests[0].type == OutputType::Generate);
  CHECK(plan.requests[0].prompt == "대한민국의 수도는?\nA. 부산\nB. 서울\nC. 인천\nD. 대구\n정답：");
  CHECK(task.items[0].gold_index == 1);
  CHECK(task.items[0].gold_text == "B");

  auto right = score_generate_choice(task, task.items[0], texts({" 정답은 B입니다."}));
  CHECK(right.metric("exact_match") == 1.0);
  CHECK(right.prediction == "B");
  auto wrong = score_generate_choice(task, task.items[0], texts({"A"}));
  CHECK(wrong.metric("exact_match") == 0.0);
  auto none = score_generate_choice(task, task.items[0], texts({"잘 모르겠습니다"}));
  CHECK(none.predicted_index == -1);
  CHECK(none.metric("exact_match") == 0.0);
}

TEST_CASE("generate_choice circular: every rotation is asked and must be right", "[plan][protocol]") {
  Plan plan = plan_of("circular", std::string(kHeader) + R"(  - name: direct
    output: generate_choice
    dataset: {format: csv, path: mcq.csv}
    prompt: "{{question}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
    labels: [A, B, C, D]
    option_fields: [A, B, C, D]
    circular: true
    gold: {field: answer, base: 1}
)");
  const PlannedTask& task = plan.tasks.at(0);
  CHECK(task.metrics == std::vector<std::string>{"exact_match", "circular_exact_match"});
  const PlannedItem& item = task.items.at(0);  // gold 서울 (B)
  REQUIRE(item.request_count == 4);
  CHECK(plan.requests[item.first_request + 0].prompt == "대한민국의 수도는?\nA. 부산\nB. 서울\nC. 인천\nD. 대구\n정답：");
  CHECK(plan.requests[item.first_request + 1].prompt == "대한민국의 수도는?\nA. 서울\nB. 인천\nC. 대구\nD. 부산\n정답：");
  CHECK(plan.requests[item.first_request + 3].prompt == "대한민국의 수도는?\nA. 대구\nB. 부산\nC. 서울\nD. 인천\n정답：");
  for (int r = 0; r < 4; ++r) CHECK(plan.requests[item.first_request + r].request_index == r);
  CHECK(rotated_gold(1, 1, 4) == 0);
  CHECK(rotated_gold(1, 3, 4) == 2);

  auto all_right = score_generate_choice(task, item, texts({"B", "A", "D", "C"}));
  CHECK(all_right.metric("exact_match") == 1.0);
  CHECK(all_right.metric("circular_exact_match") == 1.0);
  auto always_b = score_generate_choice(task, item, texts({"B", "B", "B", "B"}));
  CHECK(always_b.metric("exact_match") == 1.0);
  CHECK(always_b.metric("circular_exact_match") == 0.0);
  CHECK_THROWS_WITH(score_generate_choice(task, item, texts({"B"})), Contains("1 results for 4 options"));
}

TEST_CASE("gold given as an option's text, from choices or from a list field", "[plan][protocol]") {
  auto dir = test::scratch_dir("gold_text");
  write(dir / "items.jsonl",
        "{\"id\": \"q1\", \"question\": \"가장 큰 수는?\", \"options\": [\"1\", \"3\", \"2\"], \"answer\": \"3\"}\n");
  write(dir / "suite.yaml", std::string(kHeader) + R"yaml(  - name: by_list
    output: multiple_choice
    dataset: {format: jsonl, path: items.jsonl}
    prompt: "{{question}}"
    choices: [A, B, C]
    gold: {field: answer, match_field: options}
  - name: by_choice
    output: multiple_choice
    dataset: {format: jsonl, path: items.jsonl}
    prompt: "{{question}}"
    choices_field: options
    gold: {field: answer, match: choices}
  - name: by_value
    output: multiple_choice
    dataset: {format: jsonl, path: items.jsonl}
    prompt: "{{question}}"
    choices: ["(A)", "(B)", "(C)"]
    gold: {field: answer, values: ["2", "3", "1"]}
)yaml");
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));
  CHECK(plan.tasks[0].items[0].gold_index == 1);
  CHECK(plan.tasks[0].items[0].gold_text == "B");
  CHECK(plan.tasks[1].items[0].gold_index == 1);
  CHECK(plan.tasks[1].items[0].gold_text == "3");
  CHECK(plan.tasks[2].items[0].gold_index == 1);
  CHECK(plan.tasks[2].items[0].gold_text == "(B)");

  write(dir / "items.jsonl",
        "{\"id\": \"q1\", \"question\": \"?\", \"options\": [\"1\", \"3\", \"2\"], \"answer\": \"4\"}\n");
  CHECK_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")),
                    Contains("items.jsonl:1: task 'by_list': gold field 'answer' is '4', which is no element of 'options'"));
}

TEST_CASE("shot templates with @gold and bare shots lay out KorMedMCQA's few-shot prompt", "[plan][protocol]") {
  auto dir = test::scratch_dir("shot_template");
  write(dir / "test.csv", "question,A,B,answer\n 물은? ,H2O,CO2,1\n");
  write(dir / "fewshot.csv", "question,A,B,answer\n소금은?,NaCl,KCl,1\n설탕은?,C12H22O11,H2O,1\n");
  write(dir / "suite.yaml", std::string(kHeader) + R"(  - name: med
    output: generate_choice
    dataset: {format: csv, path: test.csv}
    fewshot:
      count: 2
      source: {format: csv, path: fewshot.csv}
      prompt: "{{question|trim}}\nA. {{A}}\nB. {{B}}\n정답： {{@gold}}\n\n"
      target: false
    prompt: "{{question|trim}}\nA. {{A}}\nB. {{B}}\n정답："
    labels: [A, B]
    gold: {field: answer, base: 1}
)");
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));
  CHECK(plan.requests.at(0).prompt ==
        "소금은?\nA. NaCl\nB. KCl\n정답： A\n\n설탕은?\nA. C12H22O11\nB. H2O\n정답： A\n\n물은?\nA. H2O\nB. CO2\n정답：");
}

TEST_CASE("preprocessors: KoBEST COPA's connector and CLIcK's prompt with all options", "[plan][protocol][suites]") {
  auto dir = test::scratch_dir("preprocess");
  write(dir / "copa.jsonl",
        "{\"premise\": \"비가 왔다.\", \"question\": \"결과\", \"alternative_1\": \"우산을 썼다.\", "
        "\"alternative_2\": \"해가 떴다.\", \"label\": 0}\n"
        "{\"premise\": \"길이 젖었다.\", \"question\": \"원인 \", \"alternative_1\": \"비가 왔다.\", "
        "\"alternative_2\": \"눈이 녹지 않았다.\", \"label\": 0}\n");
  write(dir / "click.jsonl",
        "{\"id\": \"KIIP_economy_1\", \"paragraph\": \"\", \"question\": \"화폐 단위는?\", "
        "\"choices\": [\"원\", \"엔\", \"달러\", \"위안\"], \"answer\": \"원\"}\n"
        "{\"id\": \"CSAT_korean_22_5\", \"paragraph\": \"글\", \"question\": \"맞는 것은?\", "
        "\"choices\": [\"가\", \"나\", \"다\", \"라\", \"마\"], \"answer\": \"마\"}\n");
  write(dir / "suite.yaml", std::string(kHeader) + R"(  - name: copa
    output: multiple_choice
    dataset: {format: jsonl, path: copa.jsonl}
    preprocess: kobest_copa
    prompt: "{{premise}} {{connector}}"
    choices: ["{{alternative_1}}", "{{alternative_2}}"]
    gold: {field: label}
  - name: click
    output: multiple_choice
    dataset: {format: jsonl, path: click.jsonl}
    preprocess: click
    prompt: "{{click_prompt}}"
    choices_field: click_letters
    gold: {field: answer, match_field: choices}
)");
  suites::register_builtin_preprocessors();
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));
  CHECK(plan.requests[0].context == "비가 왔다.  그래서");  // two spaces, as lm-eval's f-string
  CHECK(plan.requests[0].continuation == " 우산을 썼다.");
  CHECK(plan.requests[2].context == "길이 젖었다.  왜냐하면");

  const PlannedTask& click = plan.tasks.at(1);
  const PlannedRequest& four = plan.requests[click.items[0].first_request];
  CHECK(four.context ==
        "주어진 질문을 천천히 읽고, 적절한 정답을 A, B, C, D 중에 골라 알파벳 하나로 답하시오.\n\n질문: 화폐 단위는?\n"
        "보기:\nA:원, B: 엔, C: 달러, D: 위안\n정답:");
  CHECK(click.items[0].choices == std::vector<std::string>{"A", "B", "C", "D"});
  const PlannedItem& csat = click.items[1];
  CHECK(csat.choices == std::vector<std::string>{"A", "B", "C", "D", "E"});
  CHECK(csat.gold_index == 4);
  CHECK(plan.requests[csat.first_request].context ==
        "주어진 맥락을 천천히 읽고, 질문에 대한 적절한 정답을 A, B, C, D 중에 골라 알파벳 하나로 답하시오.\n\n맥락: 글\n"
        "질문: 맞는 것은?\n보기:\nA:가, B: 나, C: 다, D: 라, E: 마\n정답:");

  write(dir / "copa.jsonl", "{\"premise\": \"x\", \"question\": \"이유\", \"alternative_1\": \"a\", \"alternative_2\": \"b\", \"label\": 0}\n");
  CHECK_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")), Contains("copa.jsonl:1: task 'copa': kobest_copa: question is '이유'"));
  write(dir / "suite.yaml", std::string(kHeader) + "  - name: x\n    output: multiple_choice\n    dataset: {format: jsonl, path: copa.jsonl}\n"
                                                   "    preprocess: nope\n    prompt: \"{{premise}}\"\n    choices: [a, b]\n    gold: {field: label}\n");
  CHECK_THROWS_WITH(load_suite(dir / "suite.yaml"), Contains("no record preprocessor named 'nope' (known: click, kobest_copa)"));
}

TEST_CASE("groups: macro and micro averages, named, and macro-F1 per task", "[score][protocol]") {
  auto dir = make_dir("groups", std::string(kHeader) + R"(  - name: a
    output: multiple_choice
    dataset: {format: csv, path: mcq.csv}
    prompt: "{{question}}"
    choices: ["{{A}}", "{{B}}", "{{C}}", "{{D}}"]
    gold: {field: answer, base: 1}
    metrics: [acc, macro_f1]
  - name: b
    output: multiple_choice
    dataset: {format: csv, path: big.csv}
    prompt: "{{question}}"
    choices: ["{{A}}", "{{B}}", "{{C}}", "{{D}}"]
    gold: {field: answer, base: 1}
groups:
  - name: both
    tasks: [a, b]
)");
  write(dir / "big.csv", std::string(kMcq) + "하나 더?,3,x,y,z,w\n하나 더 더?,4,x,y,z,w\n");
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));
  REQUIRE(plan.groups.size() == 1);
  // Task a: 2 items, both right (acc 1). Task b: 4 items, 1 right (acc 0.25).
  TaskScore a{"a", {{"acc", 1.0, 0.0, 2}}};
  TaskScore b{"b", {{"acc", 0.25, 0.0, 4}}};
  std::vector<TaskScore> tasks = {a, b};
  std::vector<GroupScore> groups = score_groups(plan.groups, tasks);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].averaging == Averaging::Macro);
  CHECK(groups[0].value == Approx(0.625));
  CHECK(groups[1].averaging == Averaging::Micro);
  CHECK(groups[1].value == Approx(0.5));  // (2 + 1) / 6
  CHECK(groups[1].items == 6);

  // macro_f1 over predicted vs gold: preds {1, 0}, golds {1, 0} -> 1.0.
  const PlannedTask& task_a = plan.tasks[0];
  std::vector<ItemScore> items;
  for (const PlannedItem& item : task_a.items) {
    std::vector<LoglikelihoodResult> lls(4, {-5.0, false, 1, {}});
    lls[static_cast<size_t>(item.gold_index)].logprob = -1.0;
    items.push_back(score_multiple_choice(task_a, item, lls));
  }
  TaskScore summary = summarize_task(task_a, items);
  REQUIRE(summary.find("macro_f1") != nullptr);
  CHECK(summary.find("macro_f1")->mean == 1.0);
  CHECK(std::isnan(summary.find("macro_f1")->standard_error));

  const std::string bad = std::string(kHeader) + "  - name: a\n    output: multiple_choice\n    dataset: {format: csv, path: mcq.csv}\n"
                          "    prompt: \"{{question}}\"\n    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n"
                          "groups:\n  - name: g\n    tasks: [a, zz]\n";
  write(dir / "suite.yaml", bad);
  CHECK_THROWS_WITH(load_suite(dir / "suite.yaml"), Contains("group 'g': field 'tasks': 'zz' is not a task of this suite"));
}

TEST_CASE("data check lists ok, missing, unpinned and changed files, and a run refuses changes", "[plan][protocol][data]") {
  auto dir = test::scratch_dir("data_check");
  write(dir / "pinned.csv", kMcq);
  write(dir / "loose.csv", kMcq);
  const std::string pin = sha256_hex(kMcq);
  auto suite_text = [&](const std::string& pinned_sha) {
    return std::string(kHeader) + "  - name: a\n    output: multiple_choice\n    dataset: {format: csv, path: pinned.csv, sha256: " +
           pinned_sha + "}\n    prompt: \"{{question}}\"\n    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n" +
           "  - name: b\n    output: multiple_choice\n    dataset: {format: csv, path: loose.csv}\n" +
           "    fewshot: {count: 1, source: {format: csv, path: gone.csv}}\n    prompt: \"{{question}}\"\n" +
           "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n";
  };
  write(dir / "suite.yaml", suite_text(pin));
  std::vector<DataFileCheck> checks = check_suite_data(load_suite(dir / "suite.yaml"), "");
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].state == DataFileState::Ok);
  CHECK(checks[1].state == DataFileState::Unpinned);
  CHECK(checks[1].actual_sha256 == pin);
  CHECK(checks[2].state == DataFileState::Missing);
  CHECK(checks[2].used_by == std::vector<std::string>{"b (fewshot)"});

  write(dir / "pinned.csv", std::string(kMcq) + "추가?,1,a,b,c,d\n");
  checks = check_suite_data(load_suite(dir / "suite.yaml"), "");
  CHECK(checks[0].state == DataFileState::Changed);
  CHECK(checks[0].pinned_sha256 == pin);

  // The plan refuses the changed file unless told; told, it records the real hash.
  write(dir / "gone.csv", kMcq);
  SuiteConfig suite = load_suite(dir / "suite.yaml");
  CHECK_THROWS_WITH(build_plan(suite), Contains("pinned.csv: task 'a': dataset sha256 is"));
  PlanOptions allow;
  allow.allow_changed_data = true;
  Plan plan = build_plan(suite, allow);
  CHECK(plan.data_files[0].sha256 != plan.data_files[0].pinned_sha256);
  CHECK(plan.data_files[0].pinned_sha256 == pin);
}
