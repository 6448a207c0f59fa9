#include "suites/builtin_preprocessors.h"

#include "harness/prompt/record_preprocessor.h"
#include "suites/click/click_preprocessor.h"
#include "suites/kobest/kobest_preprocessors.h"

namespace dokpa::suites {

void register_builtin_preprocessors() {
  register_record_preprocessor(kobest_copa_preprocessor());
  register_record_preprocessor(click_preprocessor());
}

}  // namespace dokpa::suites
