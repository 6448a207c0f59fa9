// Submissions, suites, runs, requests, results and scores.
#include "common/error.h"
#include "tests/harness/store/store_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

TEST_CASE("submissions and suites are idempotent", "[store]") {
  auto path = scratch_dir("store-idempotent") / "results.sqlite";
  auto store = open_result_store(path);
  int64_t a = store->put_submission(sample_submission("team-a"));
  REQUIRE(store->put_submission(sample_submission("team-a")) == a);
  REQUIRE(store->put_submission(sample_submission("team-b")) != a);
  REQUIRE(raw_query(path, "SELECT count(*) FROM checkpoint_files") == "4");

  int64_t suite = store->put_suite("smoke", "hash-1", "text 1");
  REQUIRE(store->put_suite("smoke", "hash-1", "text 1") == suite);
  REQUIRE_THROWS_WITH(store->put_suite("smoke", "hash-1", "other text"),
                      Catch::Contains("different canonical text") && Catch::Contains(path.string()));
}

TEST_CASE("begin_run creates a run, then resumes it by run_key", "[store]") {
  auto path = scratch_dir("store-resume") / "results.sqlite";
  auto store = open_result_store(path);
  RunStart start = sample_run_start(*store);
  RunRecord first = store->begin_run(start);
  REQUIRE_FALSE(first.resumed);
  REQUIRE(first.attempt == 1);
  REQUIRE(first.run_key == start.run_key);

  store->finish_run(first.id, RunStatus::Failed, R"({"wall_s":1})");
  RunRecord second = store->begin_run(start);
  REQUIRE(second.resumed);
  REQUIRE(second.id == first.id);
  REQUIRE(second.status == RunStatus::Failed);
  REQUIRE(second.attempt == 2);
  REQUIRE(store->list_runs()[0].status == RunStatus::Running);

  store->finish_run(first.id, RunStatus::Complete, R"({"wall_s":2})");
  RunRecord third = store->begin_run(start);
  REQUIRE(third.status == RunStatus::Complete);  // a no-op rerun: nothing reopened
  REQUIRE(store->list_runs()[0].status == RunStatus::Complete);
  REQUIRE(store->list_runs()[0].finished_at.has_value());
  REQUIRE(raw_query(path, "SELECT count(*) FROM run_attempts") == "2");
  REQUIRE(raw_query(path, "SELECT timings FROM runs") == R"({"wall_s":2})");
  REQUIRE(store->list_runs().size() == 1);

  RunStart other = start;
  other.run_key = "run-key-2";
  REQUIRE(store->begin_run(other).id != first.id);
  REQUIRE(store->list_runs(sha256_hex("suite text")).size() == 2);
  REQUIRE(store->list_runs(std::string("no-such-hash")).empty());

  RunStart stolen = start;
  stolen.submission_id = store->put_submission(sample_submission("team-b"));
  REQUIRE_THROWS_WITH(store->begin_run(stolen), Catch::Contains("already belongs to run"));
}

TEST_CASE("put_requests is idempotent and detects a changed plan", "[store]") {
  auto path = scratch_dir("store-requests") / "results.sqlite";
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  auto requests = sample_requests(3);
  store->put_requests(run, requests);
  store->put_requests(run, requests);
  REQUIRE(raw_query(path, "SELECT count(*) FROM requests") == "6");

  auto changed = requests;
  changed[4].prompt_hash = sha256_hex("a different prompt");
  REQUIRE_THROWS_WITH(store->put_requests(run, changed),
                      Catch::Contains("item 'item-2' request 0") && Catch::Contains("plan changed"));
  auto moved = sample_requests(3);
  moved[5].key.item_id = "item-9";  // takes the plan position item-2's second request has
  REQUIRE_THROWS_WITH(store->put_requests(run, moved), Catch::Contains("plan position 5"));
  REQUIRE(raw_query(path, "SELECT count(*) FROM requests") == "6");  // both rolled back whole
}

TEST_CASE("put_results rejects duplicates and a failed batch leaves no rows", "[store]") {
  auto path = scratch_dir("store-duplicates") / "results.sqlite";
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  auto requests = sample_requests(4);
  store->put_requests(run, requests);

  store->put_results(run, results_for(requests, 0, 3));
  REQUIRE(store->completed_requests(run).size() == 3);

  // Rows 3..5 are new, row 2 is stored already: the whole batch must fail.
  auto overlapping = results_for(requests, 2, 6);
  REQUIRE_THROWS_WITH(store->put_results(run, overlapping),
                      Catch::Contains("already stored") && Catch::Contains(path.string()));
  REQUIRE(store->completed_requests(run).size() == 3);
  REQUIRE(raw_query(path, "SELECT count(*) FROM results") == "3");
  REQUIRE(raw_query(path, "SELECT count(*) FROM audit") == "1");

  // A duplicate inside one batch fails the same way.
  auto twice = results_for(requests, 3, 4);
  twice.push_back(twice[0]);
  REQUIRE_THROWS_WITH(store->put_results(run, twice), Catch::Contains("already stored"));
  REQUIRE(raw_query(path, "SELECT count(*) FROM results") == "3");

  auto unplanned = results_for(requests, 3, 4);
  unplanned[0].key.item_id = "not-planned";
  REQUIRE_THROWS_WITH(store->put_results(run, unplanned), Catch::Contains("not a planned request"));
  auto wrong_prompt = results_for(requests, 3, 4);
  wrong_prompt[0].prompt_hash = "beef";
  REQUIRE_THROWS_WITH(store->put_results(run, wrong_prompt), Catch::Contains("prompt hash beef"));

  store->put_results(run, results_for(requests, 3, 8));
  REQUIRE(raw_query(path, "SELECT count(*) FROM results") == "8");
  REQUIRE(store->verify().ok());

  store->finish_run(run, RunStatus::Complete, "{}");
  REQUIRE_THROWS_WITH(store->put_results(run, results_for(requests, 0, 1)), Catch::Contains("it is complete"));
}

TEST_CASE("results come back in plan order with every field intact", "[store]") {
  auto path = scratch_dir("store-results-order") / "results.sqlite";
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  // Plan order differs from key order: "zz" task first.
  auto requests = sample_requests(2, 2, "zz_task");
  auto more = sample_requests(2, 2, "aa_task");
  for (auto& row : more) {
    row.plan_order += 4;
    requests.push_back(row);
  }
  store->put_requests(run, requests);
  auto batch = results_for(requests, 0, 8);
  batch[5].logprob.reset();
  batch[5].is_greedy.reset();
  batch[5].response_text = "답: (가) 서울\n";
  batch[5].finish_reason = "stop";
  batch[6].logprob = -0.1 - 0.2;  // not exactly representable in decimal: must round-trip
  // Written in reverse, in two batches.
  std::vector<ResultRow> reversed(batch.rbegin(), batch.rend());
  store->put_results(run, std::span(reversed).subspan(0, 3));
  store->put_results(run, std::span(reversed).subspan(3));

  auto stored = store->results(run);
  REQUIRE(stored.size() == 8);
  for (size_t i = 0; i < stored.size(); ++i) {
    INFO(i);
    REQUIRE(stored[i].key == batch[i].key);
    REQUIRE(stored[i].prompt_hash == batch[i].prompt_hash);
    REQUIRE(stored[i].logprob == batch[i].logprob);
    REQUIRE(stored[i].is_greedy == batch[i].is_greedy);
    REQUIRE(stored[i].n_tokens == batch[i].n_tokens);
    REQUIRE(stored[i].response_text == batch[i].response_text);
    REQUIRE(stored[i].finish_reason == batch[i].finish_reason);
    REQUIRE(stored[i].latency_ms == batch[i].latency_ms);
  }
}

TEST_CASE("put_scores replaces a run's scores in one audited transaction", "[store]") {
  auto path = scratch_dir("store-scores") / "results.sqlite";
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  std::vector<ItemScoreRow> items = {{"arc_ko", "item-1", "acc", 1.0}, {"arc_ko", "item-0", "acc", 0.0}};
  std::vector<TaskMetricRow> metrics = {{"arc_ko", "acc", 0.5, 0.5, 2}, {"arc_ko", "acc_norm", 1.0, std::nullopt, 2}};
  store->put_scores(run, items, metrics);
  store->put_scores(run, items, metrics);
  REQUIRE(store->item_scores(run).size() == 2);
  REQUIRE(store->item_scores(run)[0].item_id == "item-0");
  auto stored = store->task_metrics(run);
  REQUIRE(stored.size() == 2);
  REQUIRE(stored[0].metric == "acc");
  REQUIRE(stored[0].stderr_value == 0.5);
  REQUIRE_FALSE(stored[1].stderr_value.has_value());
  REQUIRE(stored[1].n == 2);

  // A failing write (duplicate key) keeps the previous scores.
  std::vector<ItemScoreRow> duplicated = {{"arc_ko", "item-0", "acc", 1.0}, {"arc_ko", "item-0", "acc", 1.0}};
  REQUIRE_THROWS(store->put_scores(run, duplicated, {}));
  REQUIRE(store->item_scores(run).size() == 2);
  REQUIRE(store->item_scores(run)[0].value == 0.0);

  store->put_scores(run, std::vector<ItemScoreRow>{{"arc_ko", "item-0", "acc", 1.0}}, {});
  REQUIRE(store->item_scores(run).size() == 1);
  REQUIRE(store->task_metrics(run).empty());
  REQUIRE(raw_query(path, "SELECT count(*) FROM audit WHERE kind = 'scores'") == "3");
  REQUIRE(store->verify().ok());
  REQUIRE_THROWS_WITH(store->put_scores(99, {}, {}), Catch::Contains("no run with id 99"));
}
