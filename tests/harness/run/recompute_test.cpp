// The pieces of `dokpa verify --recompute` that need no model: the run's chunks, the stored request
// JSON and its inverse, the seeded draw (against CPython's random), the comparison and its tolerance, and the
// store's submission record of a run. The end-to-end cases are in tests/harness/cli.
#include <catch2/catch.hpp>

#include <cmath>

#include "harness/plan/plan_hash.h"
#include "harness/run/plan_chunks.h"
#include "harness/run/recompute_compare.h"
#include "harness/run/recompute_sample.h"
#include "harness/run/stored_request.h"
#include "harness/store/result_store.h"
#include "tests/test_support.h"

using namespace dokpa;

namespace {

PlannedRequest choice_request(const std::string& item, int index, const std::string& continuation) {
  PlannedRequest r;
  r.task = "mc";
  r.item_id = item;
  r.request_index = index;
  r.type = OutputType::MultipleChoice;
  r.context = "질문\n정답：";
  r.continuation = continuation;
  r.prompt_hash = request_hash(r);
  return r;
}

PlannedRequest generate_request() {
  PlannedRequest r;
  r.task = "gen";
  r.item_id = "7";
  r.type = OutputType::Generate;
  r.prompt = "질문: 2 더하기 3은?\n답:";
  r.stop = {"\n", "질문:"};
  r.max_tokens = 16;
  r.prompt_hash = request_hash(r);
  return r;
}

RequestRow row_of(const PlannedRequest& r) {
  return {{r.task, r.item_id, r.request_index}, 0, r.prompt_hash, stored_request_json(r)};
}

ResultRow logprob_row(const PlannedRequest& r, double logprob, int n_tokens = 1, bool greedy = false) {
  ResultRow row;
  row.key = {r.task, r.item_id, r.request_index};
  row.prompt_hash = r.prompt_hash;
  row.logprob = logprob;
  row.is_greedy = greedy;
  row.n_tokens = n_tokens;
  return row;
}

}  // namespace

TEST_CASE("stored request JSON reads back to the request it was written from", "[recompute]") {
  for (const PlannedRequest& r : {choice_request("1", 2, " C"), generate_request()}) {
    PlannedRequest back = parse_stored_request(row_of(r), "store.db");
    CHECK(back.type == r.type);
    CHECK(back.context == r.context);
    CHECK(back.continuation == r.continuation);
    CHECK(back.prompt == r.prompt);
    CHECK(back.stop == r.stop);
    CHECK(back.max_tokens == r.max_tokens);
    CHECK(request_hash(back) == r.prompt_hash);
  }
}

TEST_CASE("a stored request whose text no longer hashes to its prompt hash is refused", "[recompute]") {
  RequestRow row = row_of(generate_request());
  row.request_json.replace(row.request_json.find("16"), 2, "99");  // max_tokens edited
  CHECK_THROWS_WITH(parse_stored_request(row, "store.db"), Catch::Contains("store.db") &&
                                                               Catch::Contains("task 'gen' item '7' request 0") &&
                                                               Catch::Contains("does not hash to its prompt hash"));
  row.request_json = "{not json";
  CHECK_THROWS_WITH(parse_stored_request(row, "store.db"), Catch::Contains("not a dokpa request"));
}

TEST_CASE("the draw is CPython's random.Random(seed).sample, sorted", "[recompute]") {
  // python3 -c "import random; print(sorted(random.Random(S).sample(range(M), N)))"
  CHECK(draw_items(5, 3, 3) == std::vector<size_t>{1, 3, 4});
  CHECK(draw_items(5, 3, 4) == std::vector<size_t>{0, 1, 2});
  CHECK(draw_items(1000, 5, 90210) == std::vector<size_t>{41, 586, 749, 764, 827});
  CHECK(draw_items(12, 4, (uint64_t{1} << 40) + 7) == std::vector<size_t>{7, 9, 10, 11});
  CHECK(draw_items(4, 10, 1) == std::vector<size_t>{0, 1, 2, 3});  // N above M: every item
  CHECK(draw_items(1000, 5, 90210) == draw_items(1000, 5, 90210));
}

TEST_CASE("chunks are fixed slices of each task, numbered across the plan", "[recompute][chunks]") {
  std::vector<size_t> items_per_task{5, 0, 2, 8};
  std::vector<ItemChunk> chunks = plan_chunks(items_per_task, 4);
  REQUIRE(chunks.size() == 5);
  auto is = [](const ItemChunk& c, size_t number, size_t task, size_t begin, size_t end) {
    return c.number == number && c.task == task && c.begin == begin && c.end == end;
  };
  CHECK(is(chunks[0], 0, 0, 0, 4));
  CHECK(is(chunks[1], 1, 0, 4, 5));  // a task's last slice is shorter; the next task starts a new chunk
  CHECK(is(chunks[2], 2, 2, 0, 2));
  CHECK(is(chunks[3], 3, 3, 0, 4));
  CHECK(is(chunks[4], 4, 3, 4, 8));
  CHECK(plan_chunks(items_per_task, 0).size() == 15);  // 0 counts as 1: one item per chunk
}

TEST_CASE("items group a run's requests and leave out the unanswered", "[recompute]") {
  std::vector<RequestRow> rows;
  for (int i = 0; i < 4; ++i) rows.push_back(row_of(choice_request("a", i, " x")));
  for (int i = 0; i < 4; ++i) rows.push_back(row_of(choice_request("b", i, " x")));
  rows.push_back(row_of(generate_request()));
  std::set<RequestKey> answered;
  for (const RequestRow& r : rows) answered.insert(r.key);
  answered.erase(RequestKey{"mc", "b", 3});
  std::vector<StoredItem> items = answered_items(rows, answered);
  REQUIRE(items.size() == 2);
  CHECK(items[0].item_id == "a");
  CHECK(items[0].requests == std::vector<size_t>{0, 1, 2, 3});
  CHECK(items[1].task == "gen");
  CHECK(items[1].requests == std::vector<size_t>{8});
}

TEST_CASE("multiple-choice results agree within the tolerance and differ beyond it", "[recompute]") {
  std::vector<PlannedRequest> requests{choice_request("1", 0, " A"), choice_request("1", 1, " B")};
  std::vector<ResultRow> stored{logprob_row(requests[0], -1.0, 1, true), logprob_row(requests[1], -2.0, 3)};
  const LogprobTolerance tolerance = logprob_tolerance("float32");
  CHECK(tolerance.allowed(1) == Approx(1.1e-3));
  CHECK(tolerance.allowed(3) == Approx(1.3e-3));
  CHECK(logprob_tolerance("bfloat16").allowed(2) == tolerance.allowed(2));  // replayed batches: bit for bit

  std::vector<LoglikelihoodResult> same{{-1.0 + 1e-4, true, 1, {}}, {-2.0 - 1.2e-3, false, 3, {}}};
  ItemCheck ok = compare_multiple_choice(requests, stored, same, tolerance, {});
  CHECK(ok.ok());
  CHECK(ok.max_logprob_delta == Approx(1.2e-3));
  CHECK(format_item_check(ok).rfind("ok       task 'mc' item '1' (2 requests", 0) == 0);

  std::vector<LoglikelihoodResult> off{{-1.0, true, 1, {}}, {-2.0 + 0.5, false, 3, {}}};
  ItemCheck bad = compare_multiple_choice(requests, stored, off, tolerance, {});
  REQUIRE(bad.differences.size() == 1);
  CHECK(bad.differences[0].rfind("request 1: logprob stored -2, recomputed -1.5 (|Δ| 0.5 > 0.0013)", 0) == 0);

  std::vector<LoglikelihoodResult> flipped{{-2.5, true, 1, {}}, {-2.0, false, 2, {}}};
  ItemCheck flip = compare_multiple_choice(requests, stored, flipped, tolerance, {});
  std::string line = format_item_check(flip);
  CHECK(line.find("DIFFERS  task 'mc' item '1': request 0: logprob stored -1, recomputed -2.5") == 0);
  CHECK(line.find("request 1: n_tokens stored 3, recomputed 2") != std::string::npos);
  CHECK(line.find("predicted choice stored 0, recomputed 1") != std::string::npos);
  CHECK(line.find("near tie") == std::string::npos);

  // Every log-probability within the tolerance, yet the argmax flips: reported as a near tie.
  std::vector<ResultRow> tied{logprob_row(requests[0], -1.0), logprob_row(requests[1], -1.0005)};
  std::vector<LoglikelihoodResult> swapped{{-1.0005, false, 1, {}}, {-1.0, false, 1, {}}};
  ItemCheck near = compare_multiple_choice(requests, tied, swapped, tolerance, {});
  REQUIRE(near.differences.size() == 1);
  CHECK(near.differences[0].find("near tie") != std::string::npos);
}

TEST_CASE("acc_norm's prediction is compared with the choice lengths of the task", "[recompute]") {
  // Raw argmax is choice 0 both times; normalised by length (" A" = 1, " BBBB" = 4) it moves.
  std::vector<PlannedRequest> requests{choice_request("1", 0, " A"), choice_request("1", 1, " BBBB")};
  std::vector<ResultRow> stored{logprob_row(requests[0], -1.0), logprob_row(requests[1], -3.0)};
  std::vector<LoglikelihoodResult> now{{-1.0, false, 1, {}}, {-5.0, false, 1, {}}};
  LogprobTolerance loose{10, 0};
  CHECK(compare_multiple_choice(requests, stored, now, loose, {" ", false}).ok());
  ItemCheck norm = compare_multiple_choice(requests, stored, now, loose, {" ", true});
  REQUIRE(norm.differences.size() == 1);
  CHECK(norm.differences[0].rfind("acc_norm predicted choice stored 1, recomputed 0", 0) == 0);
}

TEST_CASE("generations must match exactly and prompt hashes must be the requests'", "[recompute]") {
  PlannedRequest r = generate_request();
  ResultRow stored;
  stored.key = {r.task, r.item_id, 0};
  stored.prompt_hash = r.prompt_hash;
  stored.response_text = " 5";
  stored.finish_reason = "stop";
  stored.n_tokens = 2;
  std::vector<PlannedRequest> requests{r};
  CHECK(compare_generate(requests, std::vector<ResultRow>{stored}, std::vector<GenerateResult>{{" 5", 2, "stop", {}}})
            .ok());
  ItemCheck text =
      compare_generate(requests, std::vector<ResultRow>{stored}, std::vector<GenerateResult>{{" 5.", 2, "length", {}}});
  CHECK(format_item_check(text) ==
        "DIFFERS  task 'gen' item '7': response_text stored \" 5\", recomputed \" 5.\"; finish_reason stored "
        "\"stop\", recomputed \"length\"");
  stored.prompt_hash = std::string(64, '0');
  ItemCheck hash =
      compare_generate(requests, std::vector<ResultRow>{stored}, std::vector<GenerateResult>{{" 5", 2, "stop", {}}});
  REQUIRE(hash.differences.size() == 1);
  CHECK(hash.differences[0].find("prompt hash") != std::string::npos);
}

TEST_CASE("the store gives a run's submission record: manifest and checkpoint files", "[recompute][store]") {
  std::filesystem::path dir = dokpa::test::scratch_dir("recompute_submission");
  auto store = open_result_store(dir / "store.db");
  SubmissionRecord submission{"team",
                              "model",
                              "llm",
                              "~/ckpt",
                              "abc",
                              "team: team\nmodel: model\n",
                              {{"b.safetensors", "22", 2}, {"a.json", "11", 1}}};
  int64_t submission_id = store->put_submission(submission);
  int64_t suite_id = store->put_suite("s", "hash", "{}");
  RunStart start;
  start.submission_id = submission_id;
  start.suite_id = suite_id;
  start.run_key = "key";
  start.provenance_json = "{}";
  int64_t run = store->begin_run(start).id;
  SubmissionRecord back = store->run_submission(run);
  CHECK(back.team == "team");
  CHECK(back.checkpoint_path == "~/ckpt");
  CHECK(back.checkpoint_sha256 == "abc");
  CHECK(back.manifest_yaml == submission.manifest_yaml);
  REQUIRE(back.files.size() == 2);
  CHECK(back.files[0].path == "a.json");  // path order
  CHECK(back.files[1].sha256 == "22");
  CHECK_THROWS_WITH(store->run_submission(run + 1), Catch::Contains("no run with id"));
}
