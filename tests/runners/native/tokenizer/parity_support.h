#pragma once
// Shared by the tokenizer tests: the project's corpus, reference ids from the Python
// reference, and a line-by-line comparison that reports the first mismatch.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "tests/test_support.h"

namespace dokpa::test {

struct Reference {
  std::vector<std::string> lines;
  nlohmann::json expected;  // see tests/reference/tokenizer_reference.py
};

// A scratch folder with corpus.json and training.txt written by tokenizer_corpus.py.
inline std::filesystem::path corpus_dir(const std::string& name) {
  std::filesystem::path dir = scratch_dir(name);
  run_reference_script("tokenizer_corpus.py",
                       "corpus " + shell_quote((dir / "corpus.json").string()));
  run_reference_script("tokenizer_corpus.py",
                       "training " + shell_quote((dir / "training.txt").string()));
  return dir;
}

// Trains the named fixture tokenizers (see tokenizer_reference.py) into `dir`.
inline void make_fixtures(const std::filesystem::path& dir, const std::string& names) {
  run_reference_script("tokenizer_reference.py", "fixtures " +
                                                     shell_quote((dir / "training.txt").string()) +
                                                     " " + shell_quote(dir.string()) + " " + names);
}

// Runs the reference ("encode-json" or "encode-spm") for `tokenizer_file` on the corpus.
inline Reference reference_for(const std::filesystem::path& dir, const std::string& mode,
                               const std::filesystem::path& tokenizer_file) {
  std::filesystem::path out = dir / (tokenizer_file.stem().string() + ".reference.json");
  run_reference_script("tokenizer_reference.py", mode + " " + shell_quote(tokenizer_file.string()) +
                                                     " " +
                                                     shell_quote((dir / "corpus.json").string()) +
                                                     " " + shell_quote(out.string()));
  Reference ref;
  ref.lines = nlohmann::json::parse(read_file(dir / "corpus.json")).get<std::vector<std::string>>();
  ref.expected = nlohmann::json::parse(read_file(out));
  REQUIRE(ref.lines.size() >= 1000);
  REQUIRE(ref.expected.at("ids").size() == ref.lines.size());
  return ref;
}

inline std::string show_ids(const std::vector<int32_t>& ids) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
  return out.str() + "]";
}

inline std::string show_text(const std::string& text) { return nlohmann::json(text).dump(); }

struct ParityOptions {
  // Every NFC-stable line must round-trip, decode(encode(x)) == x. Without it, a line must
  // round-trip exactly when it does in the reference (add_prefix_space, lstrip, unk and
  // whitespace normalization legitimately lose text).
  bool require_round_trip = false;
};

// Compares every corpus line; FAILs with the first mismatching line of each kind.
inline void check_parity(const Tokenizer& tokenizer, const Reference& ref,
                         ParityOptions options = {}) {
  size_t id_mismatches = 0, special_mismatches = 0, decode_mismatches = 0, round_trip_failures = 0;
  size_t round_trips = 0;
  std::string first_failure;
  auto note = [&](const std::string& what) {
    if (first_failure.empty()) first_failure = what;
  };
  for (size_t i = 0; i < ref.lines.size(); ++i) {
    const std::string& line = ref.lines[i];
    auto expected = ref.expected["ids"][i].get<std::vector<int32_t>>();
    auto expected_special = ref.expected["ids_special"][i].get<std::vector<int32_t>>();
    std::vector<int32_t> ids = tokenizer.encode(line, false);
    if (ids != expected) {
      ++id_mismatches;
      note("line " + std::to_string(i) + " " + show_text(line) + "\n  dokpa:     " + show_ids(ids) +
           "\n  reference: " + show_ids(expected));
    }
    std::vector<int32_t> ids_special = tokenizer.encode(line, true);
    if (ids_special != expected_special) {
      ++special_mismatches;
      note("line " + std::to_string(i) + " (add_special_tokens) " + show_text(line) +
           "\n  dokpa:     " + show_ids(ids_special) +
           "\n  reference: " + show_ids(expected_special));
    }
    std::string decoded = tokenizer.decode(expected, false);
    std::string decoded_skip = tokenizer.decode(expected_special, true);
    if (decoded != ref.expected["decoded"][i].get<std::string>() ||
        decoded_skip != ref.expected["decoded_skip"][i].get<std::string>()) {
      ++decode_mismatches;
      note("line " + std::to_string(i) + " decode\n  dokpa:     " + show_text(decoded) + " / " +
           show_text(decoded_skip) + "\n  reference: " + ref.expected["decoded"][i].dump() + " / " +
           ref.expected["decoded_skip"][i].dump());
    }
    bool round_trips_here = tokenizer.decode(ids, false) == line;
    round_trips += round_trips_here;
    bool wrong = options.require_round_trip
                     ? ref.expected["nfc_stable"][i].get<bool>() && !round_trips_here
                     : ref.expected["round_trips"][i].get<bool>() != round_trips_here;
    if (wrong) {
      ++round_trip_failures;
      note("line " + std::to_string(i) + " round trip " + show_text(line) + " -> " +
           show_text(tokenizer.decode(ids, false)));
    }
  }
  INFO(tokenizer.describe() << ": " << ref.lines.size() << " lines; first failure:\n"
                            << first_failure);
  CHECK(id_mismatches == 0);
  CHECK(special_mismatches == 0);
  CHECK(decode_mismatches == 0);
  CHECK(round_trip_failures == 0);
  CHECK(round_trips >= 50);  // the round-trip check is not vacuous
}

}  // namespace dokpa::test
