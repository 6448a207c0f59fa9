#include "harness/run/progress.h"

#include <fmt/format.h>

namespace dokpa {

Progress::Progress(std::ostream& out, std::string label, size_t total, bool terminal)
    : out_(out), label_(std::move(label)), total_(total), terminal_(terminal),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

void Progress::advance(size_t items) {
  done_ += items;
  auto now = std::chrono::steady_clock::now();
  if (terminal_ || now - last_print_ >= std::chrono::seconds(5)) {
    last_print_ = now;
    print(false);
  }
}

void Progress::finish() {
  if (printed_ != done_ || terminal_) print(true);
}

void Progress::print(bool final_line) {
  printed_ = done_;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
  double remaining = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  std::string line = fmt::format("{}: {}/{} items ({:.0f}%), {:.2f} items/s, ETA {:.0f}s", label_, done_, total_,
                                 total_ ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0,
                                 rate, remaining);
  if (!detail_.empty()) line += "; " + detail_;
  if (terminal_) out_ << "\r\033[K" << line << (final_line ? "\n" : "") << std::flush;
  else out_ << line << "\n" << std::flush;
}

}  // namespace dokpa
