#pragma once
// The suite a report is about, read from the canonical text the store keeps (suites table).
#include <string>

#include "reports/model/report.h"

namespace dokpa::reports {

// `canonical_text` is canonical_suite_json() output; `source` names it in errors.
SuiteSummary parse_suite_summary(const std::string& canonical_text, const std::string& hash, const std::string& source);

}  // namespace dokpa::reports
