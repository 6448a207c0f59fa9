#pragma once
// The record preprocessors dokpa ships (harness/prompt/record_preprocessor.h), one file per
// benchmark beside its suite files. Programs that load suites call this once at start.
namespace dokpa::suites {

void register_builtin_preprocessors();

}  // namespace dokpa::suites
