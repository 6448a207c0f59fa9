#include "harness/provenance/host_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace dokpa::provenance_detail {

namespace {

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  size_t end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    size_t colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == "model name") return trim(line.substr(colon + 1));
  }
  return "unknown";  // e.g. some ARM kernels name no model
}

}  // namespace

HostInfo host_info() {
  HostInfo info;
  char name[256] = {};
  info.hostname = gethostname(name, sizeof(name) - 1) == 0 ? name : "unknown";
  info.cpu_model = cpu_model();
  info.logical_cores = std::thread::hardware_concurrency();
  utsname uts{};
  if (uname(&uts) == 0) info.os = std::string(uts.sysname) + " " + uts.release + " " + uts.machine;
  return info;
}

}  // namespace dokpa::provenance_detail
