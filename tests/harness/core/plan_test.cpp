#include <fstream>

#include "common/error.h"
#include "common/sha256.h"
#include "harness/plan/plan_builder.h"
#include "harness/plan/plan_hash.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {

const char* kTestCsv =
    "question,answer,A,B,C,D,Category,Human Accuracy\n"
    "\"  대한민국의 수도는? \n\",2,부산,서울,인천,대구,General,0.9\n"
    "1 더하기 1은?,2,1,2,3,4,General,0.9\n"
    "물의 화학식은?,1,H2O,CO2,O2,NaCl,General,0.9\n";
const char* kDevCsv =
    "question,answer,A,B,C,D,Category,Human Accuracy\n"
    "하루는 몇 시간?,2,12,24,36,48,General,0.9\n"
    "일주일은 며칠?,3,5,6,7,8,General,0.9\n";
const char* kBoolq =
    "{\"paragraph\": \"김치는 발효 음식이다.\", \"question\": \"김치는 발효되는가?\", \"label\": 1}\n"
    "{\"paragraph\": \"펭귄은 날지 못한다.\", \"question\": \"펭귄은 나는가?\", \"label\": 0}\n";
const char* kShort = "{\"id\": \"a\", \"question\": \"3 더하기 4는?\", \"answer\": \"7\"}\n";

const char* kSuite = R"(name: plan_test
version: 1
seed: 1234
tasks:
  - name: kmmlu
    output: multiple_choice
    dataset: {format: csv, path: test.csv}
    prompt: "{{question|trim}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
    choices: [A, B, C, D]
    gold: {field: answer, base: 1}
    metrics: [acc, acc_norm]
  - name: kmmlu_2shot
    output: multiple_choice
    dataset: {format: csv, path: test.csv}
    fewshot: {count: 2, source: {format: csv, path: dev.csv}}
    prompt: "{{question|trim}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
    choices: [A, B, C, D]
    gold: {field: answer, base: 1}
  - name: kmmlu_self_seeded
    output: multiple_choice
    dataset: {format: csv, path: test.csv}
    fewshot: {count: 1, sampler: seeded}
    prompt: "{{question|trim}}\n정답："
    choices: ["{{A}}", "{{B}}", "{{C}}", "{{D}}"]
    gold: {field: answer, base: 1}
  - name: boolq
    output: multiple_choice
    dataset: {format: jsonl, path: boolq.jsonl}
    prompt: "{{paragraph}} 질문: {{question}} 답변: "
    choices: ["아니오", "예"]
    gold: {field: label}
  - name: short
    output: generate
    dataset: {format: jsonl, path: short.jsonl}
    prompt: "질문: {{question}}\n답:"
    gold: {field: answer}
    generation: {until: ["\n"], max_tokens: 8}
)";

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::filesystem::path make_suite(const std::string& name, const std::string& suite = kSuite) {
  auto dir = test::scratch_dir(name);
  write(dir / "test.csv", kTestCsv);
  write(dir / "dev.csv", kDevCsv);
  write(dir / "boolq.jsonl", kBoolq);
  write(dir / "short.jsonl", kShort);
  write(dir / "suite.yaml", suite);
  return dir;
}

const PlannedTask& task_named(const Plan& plan, const std::string& name) {
  for (const PlannedTask& task : plan.tasks) {
    if (task.name == name) return task;
  }
  FAIL("no task " << name);
  throw;
}

}  // namespace

TEST_CASE("plan: KMMLU prompt bytes follow lm-eval's kmmlu layout", "[plan]") {
  auto dir = make_suite("plan_kmmlu");
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));
  const PlannedTask& task = task_named(plan, "kmmlu");
  REQUIRE(task.items.size() == 3);
  const PlannedItem& item = task.items[0];
  CHECK(item.item_id == "0");
  CHECK(item.gold_index == 1);
  CHECK(item.choices == std::vector<std::string>{"A", "B", "C", "D"});
  REQUIRE(item.request_count == 4);
  const PlannedRequest& first = plan.requests[item.first_request];
  // {question.strip()}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n정답： with U+FF1A (EF BC 9A).
  CHECK(first.context == "대한민국의 수도는?\nA. 부산\nB. 서울\nC. 인천\nD. 대구\n정답\xEF\xBC\x9A");
  CHECK(first.continuation == " A");
  CHECK(plan.requests[item.first_request + 3].continuation == " D");
  CHECK(plan.requests[item.first_request + 3].request_index == 3);
  CHECK(first.prompt_hash == request_hash(first));
}

TEST_CASE("plan: few-shot contexts, BoolQ and generation requests", "[plan]") {
  auto dir = make_suite("plan_shapes");
  Plan plan = build_plan(load_suite(dir / "suite.yaml"));

  const PlannedTask& shot2 = task_named(plan, "kmmlu_2shot");
  CHECK(plan.requests[shot2.items[2].first_request].context ==
        "하루는 몇 시간?\nA. 12\nB. 24\nC. 36\nD. 48\n정답： B\n\n"
        "일주일은 며칠?\nA. 5\nB. 6\nC. 7\nD. 8\n정답： C\n\n"
        "물의 화학식은?\nA. H2O\nB. CO2\nC. O2\nD. NaCl\n정답：");

  // Shots drawn from the task's own file never include the item itself; choices from templates.
  const PlannedTask& self = task_named(plan, "kmmlu_self_seeded");
  for (const PlannedItem& item : self.items) {
    const std::string& context = plan.requests[item.first_request].context;
    std::string own = item.item_id == "0" ? "대한민국의 수도는?" : item.item_id == "1" ? "1 더하기 1은?" : "물의 화학식은?";
    CHECK(context.find(own) == context.rfind(own));  // appears once: as the item, not as a shot
    CHECK(context.substr(context.size() - own.size() - std::string("\n정답：").size()) == own + "\n정답：");
  }
  CHECK(self.items[2].choices == std::vector<std::string>{"H2O", "CO2", "O2", "NaCl"});
  CHECK(plan.requests[self.items[2].first_request].continuation == " H2O");

  const PlannedTask& boolq = task_named(plan, "boolq");
  REQUIRE(boolq.items.size() == 2);
  CHECK(boolq.items[0].gold_index == 1);
  CHECK(boolq.items[1].gold_index == 0);
  const PlannedRequest& yes_no = plan.requests[boolq.items[0].first_request];
  CHECK(yes_no.context == "김치는 발효 음식이다. 질문: 김치는 발효되는가? 답변: ");
  CHECK(yes_no.continuation == " 아니오");
  CHECK(plan.requests[boolq.items[0].first_request + 1].continuation == " 예");

  const PlannedTask& gen = task_named(plan, "short");
  REQUIRE(gen.items.size() == 1);
  CHECK(gen.items[0].item_id == "a");
  CHECK(gen.items[0].gold_text == "7");
  const PlannedRequest& request = plan.requests[gen.items[0].first_request];
  CHECK(request.type == OutputType::Generate);
  CHECK(request.prompt == "질문: 3 더하기 4는?\n답:");
  CHECK(request.stop == std::vector<std::string>{"\n"});
  CHECK(request.max_tokens == 8);
  CHECK(plan.requests.size() == 12 + 12 + 12 + 4 + 1);
}

TEST_CASE("plan: byte-identical across builds, and the hash follows the data", "[plan]") {
  auto dir = make_suite("plan_determinism");
  SuiteConfig suite = load_suite(dir / "suite.yaml");
  Plan a = build_plan(suite);
  Plan b = build_plan(load_suite(dir / "suite.yaml"));
  REQUIRE(a.requests.size() == b.requests.size());
  for (size_t i = 0; i < a.requests.size(); ++i) {
    CHECK(a.requests[i].context == b.requests[i].context);
    CHECK(a.requests[i].continuation == b.requests[i].continuation);
    CHECK(a.requests[i].prompt == b.requests[i].prompt);
    CHECK(a.requests[i].prompt_hash == b.requests[i].prompt_hash);
  }
  CHECK(a.hash == b.hash);
  CHECK(a.hash == plan_hash(a));
  CHECK(a.suite_hash == suite.hash);

  // Provenance: every data file with its sha256, per task and role (shots drawn from the
  // task's own dataset add no entry).
  REQUIRE(a.data_files.size() == 6);
  CHECK(a.data_files[0].task == "kmmlu");
  CHECK(a.data_files[0].role == "dataset");
  CHECK(a.data_files[0].sha256 == sha256_hex(kTestCsv));
  CHECK(a.data_files[2].role == "fewshot");
  CHECK(a.data_files[2].sha256 == sha256_hex(kDevCsv));

  // One byte of one data file changes the plan hash.
  std::string changed = kTestCsv;
  changed[changed.find("1 더하기 1")] = '2';
  write(dir / "test.csv", changed);
  Plan c = build_plan(suite);
  CHECK(c.hash != a.hash);
  // ... and so does a changed gold answer, though no prompt changes.
  write(dir / "test.csv", kTestCsv);
  std::string boolq = kBoolq;
  boolq.replace(boolq.rfind("\"label\": 0"), 10, "\"label\": 1");
  write(dir / "boolq.jsonl", boolq);
  Plan d = build_plan(suite);
  CHECK(d.hash != a.hash);
  write(dir / "boolq.jsonl", kBoolq);
  CHECK(build_plan(suite).hash == a.hash);
}

TEST_CASE("plan: data problems are errors naming the file", "[plan]") {
  auto dir = make_suite("plan_errors");
  SuiteConfig suite = load_suite(dir / "suite.yaml");

  PlanOptions elsewhere;
  elsewhere.data_root = dir / "missing";
  REQUIRE_THROWS_WITH(build_plan(suite, elsewhere), Contains((dir / "missing/test.csv").string()));

  std::string pinned = kSuite;
  pinned.replace(pinned.find("path: test.csv}"), 15, "path: test.csv, sha256: " + std::string(64, '0') + "}");
  write(dir / "suite.yaml", pinned);
  REQUIRE_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")),
                      Contains("test.csv") && Contains("task 'kmmlu'") && Contains("but the suite pins"));

  std::string typo = kSuite;
  typo.replace(typo.find("{{paragraph}}"), 13, "{{paragraf}}");
  write(dir / "suite.yaml", typo);
  REQUIRE_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")),
                      Contains("boolq.jsonl:1") && Contains("task 'boolq'") && Contains("unknown field 'paragraf'"));

  std::string greedy = kSuite;
  greedy.replace(greedy.find("count: 2"), 8, "count: 3");
  write(dir / "suite.yaml", greedy);
  REQUIRE_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")),
                      Contains("suite.yaml: task 'kmmlu_2shot': fewshot.count is 3") && Contains("dev.csv offers only 2"));

  write(dir / "suite.yaml", kSuite);
  write(dir / "boolq.jsonl", "{\"paragraph\": \"p\", \"question\": \"q\", \"label\": 2}\n");
  REQUIRE_THROWS_WITH(build_plan(load_suite(dir / "suite.yaml")),
                      Contains("boolq.jsonl:1") && Contains("outside the 2 choices"));
}

TEST_CASE("plan: the smoke suite plans with its pinned fixtures", "[plan][smoke]") {
  SuiteConfig suite = load_suite(test::source_dir() / "configs/smoke.yaml");
  Plan plan = build_plan(suite);
  REQUIRE(plan.tasks.size() == 4);
  CHECK(plan.tasks[0].items.size() == 12);
  CHECK(plan.tasks[1].items.size() == 12);
  CHECK(plan.tasks[2].items.size() == 12);
  CHECK(plan.tasks[3].items.size() == 10);
  CHECK(plan.requests.size() == 12 * 4 * 2 + 12 * 2 + 10);
  // Every pinned file matched; the 5-shot context starts with the first dev item.
  CHECK(plan.data_files.size() == 5);
  const std::string& five_shot = plan.requests[plan.tasks[1].items[0].first_request].context;
  CHECK(five_shot.rfind("하루는 몇 시간인가?\nA. 12시간\n", 0) == 0);
  CHECK(five_shot.find("정답： B\n\n대한민국 국기의") != std::string::npos);
  CHECK(build_plan(suite).hash == plan.hash);
}
