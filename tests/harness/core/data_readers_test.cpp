#include <fstream>

#include "common/error.h"
#include "harness/data/dataset.h"
#include "harness/data/unicode_text.h"
#include "tests/harness/core/record_test_support.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;
using dokpa::test::text_of;

TEST_CASE("CSV: quoted fields, doubled quotes, embedded newlines, CRLF and BOM", "[data][csv]") {
  std::string text =
      "\xEF\xBB\xBFquestion,answer,note\r\n"
      "\"a, b\",1,plain\r\n"
      "\"she said \"\"hi\"\"\",2,\"line one\nline two\"\r\n"
      "\r\n"  // blank line: skipped
      "한국어,3,\"\"\r\n"
      "last,4,no newline at end";
  Dataset data = parse_csv(text, "t.csv");
  REQUIRE(data.rows.size() == 4);
  CHECK(data.rows[0].fields().front().first == "question");  // BOM stripped from the first name
  CHECK(text_of(data.rows[0], "question") == "a, b");
  CHECK(text_of(data.rows[1], "question") == "she said \"hi\"");
  CHECK(text_of(data.rows[1], "note") == "line one\nline two");
  CHECK(text_of(data.rows[2], "question") == "한국어");
  CHECK(text_of(data.rows[2], "note").empty());
  CHECK(text_of(data.rows[3], "note") == "no newline at end");
  CHECK(data.lines == std::vector<size_t>{2, 3, 6, 7});
  CHECK(data.ids == std::vector<std::string>{"0", "1", "2", "3"});  // no id column: row index
}

TEST_CASE("CSV: broken quoting is an error naming file and line", "[data][csv]") {
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2\n\"open,3\n4,5\n", "broken.csv"),
                      Contains("broken.csv:3") && Contains("never closed"));
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2\n\"x\"y,3\n", "broken.csv"), Contains("broken.csv:3") && Contains("after a closing quote"));
  REQUIRE_THROWS_WITH(parse_csv("a,b\nx\"y,3\n", "broken.csv"), Contains("broken.csv:2") && Contains("quote inside"));
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2,3\n", "wide.csv"), Contains("wide.csv:2") && Contains("3 fields"));
  REQUIRE_THROWS_WITH(parse_csv("a,a\n1,2\n", "dup.csv"), Contains("duplicate column 'a'"));
}

TEST_CASE("JSONL: values, numbers as written, lists, ids", "[data][jsonl]") {
  std::string text =
      "{\"id\": \"q1\", \"label\": 1, \"score\": 0.50, \"ok\": true, \"opts\": [\"가\", 2]}\n"
      "\n"
      "{\"id\": \"q2\", \"label\": -3, \"score\": 1e2, \"ok\": null, \"opts\": []}\n";
  Dataset data = parse_jsonl(text, "t.jsonl");
  REQUIRE(data.rows.size() == 2);
  CHECK(data.ids == std::vector<std::string>{"q1", "q2"});
  CHECK(text_of(data.rows[0], "label") == "1");
  CHECK(text_of(data.rows[0], "score") == "0.50");
  CHECK(text_of(data.rows[1], "score") == "1e2");
  CHECK(text_of(data.rows[0], "ok") == "True");  // Python's str(True), as lm-eval renders it
  CHECK(text_of(data.rows[1], "ok").empty());
  CHECK(std::get<std::vector<std::string>>(*data.rows[0].find("opts")) == std::vector<std::string>{"가", "2"});
  CHECK(data.lines == std::vector<size_t>{1, 3});
}

TEST_CASE("JSONL: a bad line is an error naming file and line", "[data][jsonl]") {
  REQUIRE_THROWS_WITH(parse_jsonl("{\"a\": 1}\n{\"a\": 2,}\n", "bad.jsonl"), Contains("bad.jsonl:2") && Contains("invalid JSON"));
  REQUIRE_THROWS_WITH(parse_jsonl("{\"a\": 1}\n\n[1, 2]\n", "bad.jsonl"), Contains("bad.jsonl:3") && Contains("not a JSON object"));
  REQUIRE_THROWS_WITH(parse_jsonl("{\"a\": {\"b\": 1}}\n", "bad.jsonl"), Contains("bad.jsonl:1") && Contains("nested"));
  REQUIRE_THROWS_WITH(parse_jsonl("{\"a\": 1, \"a\": 2}\n", "bad.jsonl"), Contains("duplicate field 'a'"));
  REQUIRE_THROWS_WITH(parse_jsonl("{\"id\": \"x\"}\n{\"id\": \"x\"}\n", "dup.jsonl"), Contains("dup.jsonl:2") && Contains("duplicate item id"));
}

TEST_CASE("load_dataset rejects invalid UTF-8 and missing files, naming the file", "[data]") {
  auto dir = test::scratch_dir("data_readers");
  std::ofstream(dir / "bad.csv", std::ios::binary) << "a\nok\n\xff\xfe\n";
  REQUIRE_THROWS_WITH(load_dataset(dir / "bad.csv", DataFormat::Csv), Contains("bad.csv:3") && Contains("invalid UTF-8"));
  REQUIRE_THROWS_WITH(load_dataset(dir / "missing.csv", DataFormat::Csv), Contains("missing.csv"));
}

TEST_CASE("Unicode helpers follow Python", "[data][unicode]") {
  CHECK(python_strip(" \t\n\u3000정답\u00a0 ") == "정답");  // ideographic and no-break spaces too
  CHECK(python_strip("\u200b x") == "\u200b x");  // zero-width space is not str.isspace()
  CHECK(python_strip("   ").empty());
  CHECK(count_code_points("예") == 1);
  CHECK(count_code_points("아니오") == 3);  // 9 bytes
  CHECK(to_upper("abc가é") == "ABC가É");
  CHECK(nfc("\u1112\u1161\u11ab") == "\ud55c");  // conjoining jamo -> 한
}
