#pragma once
#include "harness/prompt/record_preprocessor.h"

namespace dokpa::suites {

// kobest_copa: adds `connector`, lm-eval's kobest copa_doc_to_text connector: " 왜냐하면"
// ("because") when question.strip() is 원인 (cause), " 그래서" ("so") when it is 결과
// (effect), each with its leading space. lm-eval's prompt is f"{premise} {connector}", so the
// suite's template "{{premise}} {{connector}}" reproduces its two spaces byte for byte.
RecordPreprocessor kobest_copa_preprocessor();

}  // namespace dokpa::suites
