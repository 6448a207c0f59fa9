#pragma once
// Progress of long work: items done / total, rate and ETA. On a terminal one line redrawn in
// place; otherwise plain lines at most every few seconds (logs stay readable).
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace dokpa {

class Progress {
 public:
  Progress(std::ostream& out, std::string label, size_t total, bool terminal);
  void advance(size_t items);  // advance(0) redraws (throttled like any other line)
  // Text appended to every line, e.g. the runner's requests in flight and retries.
  void set_detail(std::string detail) { detail_ = std::move(detail); }
  void finish();

 private:
  void print(bool final_line);

  std::ostream& out_;
  std::string label_;
  std::string detail_;
  size_t total_;
  size_t done_ = 0;
  size_t printed_ = static_cast<size_t>(-1);  // done_ when the last line was printed
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace dokpa
