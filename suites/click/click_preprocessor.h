#pragma once
#include "harness/prompt/record_preprocessor.h"

namespace dokpa::suites {

// click: lm-eval's CLIcK prompt (tasks/click, get_context / get_choices) as two fields:
//   click_prompt   with a paragraph:
//                    "주어진 맥락을 천천히 읽고, 질문에 대한 적절한 정답을 A, B, C, D 중에 골라 알파벳
//                     하나로 답하시오.\n\n맥락: {paragraph}\n질문: {question}\n보기:\n{options}\n정답:"
//                  without one (empty paragraph): "주어진 질문을 천천히 읽고, 적절한 정답을 A, B, C, D
//                     중에 골라 알파벳 하나로 답하시오.\n\n질문: {question}\n보기:\n{options}\n정답:"
//                  where {options} is "A:{o1}, B: {o2}, C: {o3}, D: {o4}" (no space after the first
//                  colon, as lm-eval writes it)
//   click_letters  the letters scored as choices: A–D, or A–E for a five-option item.
// Deliberate difference (suites/click/README.md): lm-eval scores five letters on CSAT items but
// shows only four options, so option E is never on screen; dokpa appends ", E: {o5}" when an
// item has five options. Four-option items render byte for byte as lm-eval's.
RecordPreprocessor click_preprocessor();

}  // namespace dokpa::suites
