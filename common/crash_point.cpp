#include "common/crash_point.h"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace dokpa {

namespace {

struct CrashPlan {
  std::string name;  // empty: no crash planned
  long count = 0;
  std::atomic<long> seen{0};
};

CrashPlan& crash_plan() {
  static CrashPlan* plan = [] {
    auto* p = new CrashPlan;  // never destroyed: crash points may be passed during exit
    const char* spec = std::getenv("DOKPA_CRASH_POINT");
    std::string text = spec ? spec : "";
    size_t colon = text.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      p->name = text.substr(0, colon);
      p->count = std::strtol(text.c_str() + colon + 1, nullptr, 10);
      if (p->count < 1) p->name.clear();
    }
    return p;
  }();
  return *plan;
}

}  // namespace

void crash_point(std::string_view name) {
  CrashPlan& plan = crash_plan();
  if (plan.name.empty() || name != plan.name) return;
  if (plan.seen.fetch_add(1) + 1 == plan.count) ::raise(SIGKILL);
}

}  // namespace dokpa
