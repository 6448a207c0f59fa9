// The official phase-2 suite on the project's fixtures (issue 3): it runs to completion on the
// default model, its data are checked against their pins, and a subset runs under its own key.
#include <catch2/catch.hpp>

#include "common/sha256.h"
#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

std::string phase2_args(const std::filesystem::path& store, const std::string& extra) {
  return "run --suite " + shell_quote((source_dir() / "configs/phase2.yaml").string()) + " --submission " +
         shell_quote((source_dir() / "configs/submissions/smollm2.yaml").string()) + " --store " +
         shell_quote(store.string()) + " --device cpu " + extra;
}

int64_t count(const std::filesystem::path& store, const std::string& sql) {
  auto rows = query_rows(store, sql);
  REQUIRE(rows.size() == 1);
  return std::stoll(rows[0]);
}

}  // namespace

TEST_CASE("phase2: the official suite runs to completion on the fixtures", "[cli][phase2][smollm2]") {
  std::filesystem::path store = scratch_dir("phase2_full") / "phase2.db";
  // Generations capped at 8 tokens: the full protocol's 2,048-token HRM8K answers take hours on
  // a small CPU; every task, prompt and scorer still runs.
  CommandResult run = run_dokpa(phase2_args(store, "--generation-cap 8"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(query_rows(store, "SELECT status FROM runs") == std::vector<std::string>{"complete"});
  // 45 KMMLU subjects x 4 variants, 6 HAE-RAE, 5 KoBEST, 6 CLIcK, 4 KorMedMCQA, 5 HRM8K, KoBALT.
  CHECK(count(store, "SELECT count(DISTINCT task) FROM item_scores") == 180 + 6 + 5 + 6 + 4 + 5 + 1);
  CHECK(count(store, "SELECT count(*) FROM results") == count(store, "SELECT count(*) FROM requests"));
  // Super-category groups, both averages, named; macro-F1 for KoBEST.
  for (const char* group : {"kmmlu_stem", "kmmlu_5shot_humss", "kmmlu_hard_other", "kmmlu_all"}) {
    INFO(group);
    CHECK(count(store, std::string("SELECT count(*) FROM task_metrics WHERE task = '") + group +
                           "' AND metric IN ('acc_macro', 'acc_micro')") == 2);
  }
  CHECK(count(store, "SELECT count(*) FROM task_metrics WHERE task = 'kmmlu_direct_all' AND metric = 'exact_match_micro'") == 1);
  CHECK(count(store, "SELECT count(*) FROM task_metrics WHERE metric = 'macro_f1'") == 5);
  CHECK(count(store, "SELECT count(*) FROM task_metrics WHERE task = 'kobest' AND metric = 'macro_f1_macro'") == 1);
  // Five-option CSAT items of CLIcK show their fifth option.
  CHECK(count(store, "SELECT count(*) FROM requests WHERE task = 'click_lang_text' AND request LIKE '%, E: %'") > 0);
  CHECK(run.output.find("kmmlu_stem") != std::string::npos);
}

TEST_CASE("phase2: --tasks runs a subset under its own run key", "[cli][phase2][smollm2]") {
  std::filesystem::path store = scratch_dir("phase2_subset") / "subset.db";
  CommandResult run = run_dokpa(phase2_args(store, "--tasks 'kobest_*,kmmlu_math'"));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(query_rows(store, "SELECT DISTINCT task FROM item_scores ORDER BY 1") ==
        std::vector<std::string>{"kmmlu_math", "kobest_boolq", "kobest_copa", "kobest_hellaswag", "kobest_sentineg",
                                 "kobest_wic"});
  // The kobest group is complete, the KMMLU groups are not, so only kobest is averaged.
  CHECK(query_rows(store, "SELECT DISTINCT task FROM task_metrics WHERE metric LIKE '%_macro' ORDER BY 1") ==
        std::vector<std::string>{"kobest"});
  CommandResult other = run_dokpa(phase2_args(store, "--tasks kobest_wic"));
  REQUIRE(other.exit_code == 0);
  CHECK(count(store, "SELECT count(DISTINCT run_key) FROM runs") == 2);

  CommandResult unknown = run_dokpa(phase2_args(store, "--tasks 'nope_*'"));
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output.find("phase2.yaml: --tasks: no task of the suite matches 'nope_*'") != std::string::npos);
}

TEST_CASE("data check: ok, changed and missing files, and a run refuses changed data unless told", "[cli][data]") {
  namespace fs = std::filesystem;
  fs::path dir = scratch_dir("data_check_cli");
  const std::string csv = "question,answer,A,B,C,D\n1 더하기 1은?,2,1,2,3,4\n하늘의 색은?,1,파랑,빨강,초록,검정\n";
  write_text(dir / "data/items.csv", csv);
  const std::string suite =
      "name: pinned\nversion: 1\nseed: 1\ndata_root: data\ntasks:\n  - name: mc\n    output: multiple_choice\n"
      "    dataset: {format: csv, path: items.csv, sha256: " + sha256_hex(csv) + "}\n"
      "    prompt: \"{{question}}\\n정답：\"\n    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n";
  write_text(dir / "suite.yaml", suite);
  const std::string check = "data check " + shell_quote((dir / "suite.yaml").string());

  CommandResult ok = run_dokpa(check);
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK(ok.output.find("1 files, 0 not ok") != std::string::npos);

  write_text(dir / "data/items.csv", csv + "물은?,1,H2O,CO2,O2,N2\n");
  CommandResult changed = run_dokpa(check);
  INFO(changed.output);
  CHECK(changed.exit_code == 1);
  CHECK(changed.output.find("changed") != std::string::npos);
  CHECK(changed.output.find("pinned " + sha256_hex(csv)) != std::string::npos);

  const std::string run = "run --suite " + shell_quote((dir / "suite.yaml").string()) + " --submission " +
                          shell_quote((source_dir() / "configs/submissions/smollm2.yaml").string()) + " --store " +
                          shell_quote((dir / "store.db").string()) + " --device cpu";
  CommandResult refused = run_dokpa(run);
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("items.csv: task 'mc': dataset sha256 is") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "store.db"));  // refused before anything was written

  CommandResult told = run_dokpa(run + " --allow-changed-data");
  INFO(told.output);
  CHECK(told.exit_code == 0);
  CHECK(told.output.find("warning: ") != std::string::npos);
  CHECK(query_rows(dir / "store.db", "SELECT count(*) FROM item_scores") == std::vector<std::string>{"3"});

  fs::remove(dir / "data/items.csv");
  CommandResult missing = run_dokpa(check);
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("missing") != std::string::npos);
}
