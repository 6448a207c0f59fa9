#pragma once
// The machine a run happens on, for provenance (private to harness/provenance).
#include <string>

namespace dokpa::provenance_detail {

struct HostInfo {
  std::string hostname;
  std::string cpu_model;  // "model name" from /proc/cpuinfo; "unknown" where there is none
  unsigned logical_cores = 0;
  std::string os;  // uname: sysname release machine
};

HostInfo host_info();

}  // namespace dokpa::provenance_detail
