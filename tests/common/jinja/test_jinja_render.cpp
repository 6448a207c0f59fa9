// Each construct of the jinja2 subset against what transformers' jinja2 environment renders
// (trim_blocks, lstrip_blocks, loopcontrols, its tojson). The expected strings were rendered
// with jinja2 3.1.6 through transformers 4.57.6's _compile_jinja_template.
#include <nlohmann/json.hpp>

#include "common/jinja/json_value.h"
#include "common/jinja/template.h"
#include "tests/test_support.h"

namespace {

struct RenderCase {
  const char* group;
  const char* name;
  const char* source;
  const char* variables;  // JSON object, keys in Python's insertion order
  const char* expected;
};

const RenderCase kCases[] = {
    {"whitespace", "trim_blocks drops one newline after a block tag", "{% if true %}\nyes\n{% endif %}\n\nend", "{}",
     "yes\n\nend"},
    {"whitespace", "lstrip_blocks drops indentation before a block tag",
     "a\n    {% if true %}\n    b\n    {% endif %}\nc", "{}", "a\n    b\nc"},
    {"whitespace", "lstrip_blocks leaves indentation before a print tag", "x\n    {{ 'y' }}\n", "{}", "x\n    y"},
    {"whitespace", "minus strips all whitespace on its side", "a  \n {{- 'b' -}} \n\n c", "{}", "abc"},
    {"whitespace", "minus on block tags", "1\n\n  {%- if true -%}\n\n  2  {%- endif %} 3", "{}", "12 3"},
    {"whitespace", "plus keeps indentation and newline", "a\n  {%+ if true +%}\nb\n{% endif %}", "{}", "a\n  \nb\n"},
    {"whitespace", "comments follow block rules", "a\n  {# note #}\nb {#- x -#}  c", "{}", "a\nbc"},
    {"whitespace", "crlf is normalised and the final newline dropped", "a\r\nb\rc\n", "{}", "a\nb\nc"},
    {"whitespace", "only one trailing newline is dropped", "a\n\n", "{}", "a\n"},
    {"whitespace", "text that is not at a line start keeps its spaces", "x  {% if true %}y{% endif %}", "{}", "x  y"},
    {"whitespace", "a print tag ending a line does not count as a line start", "{{ 'a' }}  {% if true %}b{% endif %}",
     "{}", "a  b"},
    {"output", "python str of values",
     "{{ none }}|{{ true }}|{{ 3 }}|{{ 2.50 }}|{{ 1e20 }}|{{ 1.5e-7 }}|{{ [1, 'a', none, (2,)] }}|{{ {'k': \"it's\"} "
     "}}|{{ undefined_name }}",
     "{}", "None|True|3|2.5|1e+20|1.5e-07|[1, 'a', None, (2,)]|{'k': \"it's\"}|"},
    {"output", "string escapes in literals", "{{ 'a\\nb\\t\\u00e9\\'' ~ \"q\\\"\" }}", "{}", "a\nb\té'q\""},
    {"output", "adjacent string literals join", "{{ 'a' 'b' }}", "{}", "ab"},
    {"expressions", "arithmetic follows python",
     "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} "
     "{{ 0.1 + 0.2 }} {{ 'ab' * 2 }} {{ -3 }}",
     "{}", "3 -4 2 3.5 2.0 1024 7 9 0.30000000000000004 abab -3"},
    {"expressions", "concat and format",
     "{{ 1 ~ 'a' ~ none }} {{ '%s=%d' % ('k', 3) }} {{ '%s' % 'x' }} {{ 'a' + 'b' }} {{ [1] + [2] }}", "{}",
     "1aNone k=3 x ab [1, 2]"},
    {"expressions", "comparisons and membership",
     "{{ 1 < 2 < 3 }} {{ 'a' in 'cat' }} {{ 'x' not in ['a'] }} {{ 'k' in {'k': 1} }} {{ 1 == 1.0 }} {{ true == 1 }} "
     "{{ [1, 2] == [1, 2] }} {{ 'b' > 'a' }} {{ none == none }}",
     "{}", "True True True True True True True True True"},
    {"expressions", "and or not return python values",
     "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ not [] }} {{ '' or none }} {{ not x is defined }}", "{}",
     "x b True None True"},
    {"expressions", "inline if",
     "{{ 'y' if 1 > 0 else 'n' }} {{ 'y' if false }}|{{ 'a' if false else 'b' if true else 'c' }}", "{}", "y |b"},
    {"expressions", "attribute and item access",
     "{{ m.role }} {{ m['content'] }} {{ xs[0] }} {{ xs[-1] }} {{ xs.1 }} {{ m.missing }}|{{ none.x }}|{{ xs[9] }}|{{ "
     "m.get('role') }} {{ m.get('nope', 'dflt') }}",
     "{\"m\": {\"role\": \"user\", \"content\": \"hi\"}, \"xs\": [10, 20, 30]}", "user hi 10 30 20 |||user dflt"},
    {"expressions", "slicing lists and strings by code point",
     "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ s[::-1] }} {{ s[1:3] }} {{ s[-1] }} {{ xs[5:] }}",
     "{\"xs\": [1, 2, 3, 4], \"s\": \"한국어ok\"}", "[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] [1, 3] ko어국한 국어 k []"},
    {"expressions", "list and dict literals",
     "{{ [1, [2, 3], {'a': [4]}] }} {{ {'a': 1, 'b': 2}['b'] }} {{ ()|length }} {{ [] }}", "{}",
     "[1, [2, 3], {'a': [4]}] 2 0 []"},
    {"statements", "if elif else",
     "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %},{% endfor %}", "{}",
     "one,two,many,"},
    {"statements", "for loop variables",
     "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ "
     "loop.last }}{{ loop.length }}{{ loop.previtem|default('-') }}{{ loop.nextitem|default('-') }}{{ loop.cycle('o', "
     "'e') }};{% endfor %}",
     "{}", "1032TrueFalse3-bo;2121FalseFalse3ace;3210FalseTrue3b-o;"},
    {"statements", "for over dict items and unpacking",
     "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for a, b in [(1, "
     "2), [3, 4]] %}{{ a + b }}{% endfor %}",
     "{\"d\": {\"z\": 1, \"a\": 2}}", "z=1;a=2;za37"},
    {"statements", "for with filter, else, break and continue",
     "{% for x in xs if x != 2 %}{% if x == 3 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}{% endif %}{{ x "
     "}}/{{ loop.length }} {% else %}empty{% endfor %}|{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in "
     "undefined_list %}x{% endfor %}",
     "{\"xs\": [1, 2, 3, 4, 5, 6]}", "1/5 4/5 |empty|"},
    {"statements", "nested loops shadow loop",
     "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}", "{}",
     "121 122 "},
    {"statements", "set in a loop does not leak",
     "{% set n = 0 %}{% for x in [1, 2] %}{% set n = n + x %}{{ n }}{% endfor %}{{ n }}", "{}", "120"},
    {"statements", "set in an if does leak", "{% if true %}{% set n = 5 %}{% endif %}{{ n }}", "{}", "5"},
    {"statements", "namespace carries values out of loops",
     "{% set ns = namespace(total=0, seen=[]) %}{% for x in [1, 2, 3] %}{% set ns.total = ns.total + x %}{% set "
     "ns.seen = ns.seen + [x] %}{% endfor %}{{ ns.total }} {{ ns.seen }}",
     "{}", "6 [1, 2, 3]"},
    {"statements", "block set captures output", "{% set body %}\n  {{ 'x' }} and {{ 1 + 1 }}\n{% endset %}[{{ body }}]",
     "{}", "[  x and 2\n]"},
    {"statements", "tuple set", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", "{}", "12"},
    {"statements", "macros with defaults and keywords",
     "{% macro tag(name, body='-', close=true) %}<{{ name }}>{{ body }}{% if close %}</{{ name }}>{% endif %}{% "
     "endmacro %}{{ tag('a') }}{{ tag('b', 'x') }}{{ tag('c', close=false) }}",
     "{}", "<a>-</a><b>x</b><c>-"},
    {"statements", "generation blocks render their body", "{% generation %}kept{% endgeneration %}", "{}", "kept"},
    {"strings", "strip family",
     "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxaxx'.strip('x') }}][{{ '\\n\\nthink'.lstrip('\\n') "
     "}}]",
     "{\"s\": \" 　 공백 \\t\\n\"}", "[공백][공백 \t\n][ 　 공백][a][think]"},
    {"strings", "split and join",
     "{{ 'a</think>b</think>c'.split('</think>') }} {{ 'a  b c '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ "
     "'a,b,c'.rsplit(',', 1) }} {{ '-'.join(['x', 'y']) }} {{ 'l1\\nl2'.splitlines() }}",
     "{}", "['a', 'b', 'c'] ['a', 'b', 'c'] ['a', 'b,c'] ['a,b', 'c'] x-y ['l1', 'l2']"},
    {"strings", "startswith endswith find replace count",
     "{{ s.startswith('<tool') }} {{ s.endswith(('x', '>')) }} {{ s.find('resp') }} {{ s.replace('o', '0') }} {{ "
     "s.count('o') }} {{ '한국어'.find('어') }}",
     "{\"s\": \"<tool_response>\"}", "True True 6 <t00l_resp0nse> 3 2"},
    {"strings", "case methods",
     "{{ 'hello wORLD'.title() }} {{ 'hello'.upper() }} {{ 'ABC'.lower() }} {{ 'hELLO'.capitalize() }} {{ "
     "'한글abc'.upper() }} {{ 'Ünïcode'.lower() }}",
     "{}", "Hello World HELLO abc Hello 한글ABC ünïcode"},
    {"filters", "string filters",
     "{{ '  x  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 'ab'|upper }}|{{ 'AB'|lower }}|{{ 'a b'|title }}|{{ "
     "'aB'|capitalize }}|{{ 'aaa'|replace('a', 'b', 2) }}|{{ 5|string }}|{{ '<a&b>'|e }}|{{ '<a>'|safe }}",
     "{}", "x|a|AB|ab|A B|Ab|bba|5|&lt;a&amp;b&gt;|<a>"},
    {"filters", "length count first last",
     "{{ xs|length }} {{ xs|count }} {{ 'ab한'|length }} {{ d|length }} {{ xs|first }} {{ xs|last }} {{ 'abc'|first }} "
     "{{ undefined_name|length }}",
     "{\"xs\": [3, 4, 5], \"d\": {\"a\": 1}}", "3 3 3 1 3 5 a 0"},
    {"filters", "default",
     "{{ missing|default('dflt') }} {{ missing|d('d2') }} {{ ''|default('empty') }} {{ ''|default('empty', true) }} {{ "
     "none|default('n') }} {{ false|default('f', boolean=true) }}",
     "{}", "dflt d2  empty None f"},
    {"filters", "list items reverse join",
     "{{ 'ab'|list }} {{ d|items|list }} {{ [1, 2]|reverse|list }} {{ 'abc'|reverse }} {{ [1, 2, 3]|join(', ') }} {{ "
     "ms|join('/', attribute='role') }}",
     "{\"d\": {\"a\": 1, \"b\": 2}, \"ms\": [{\"role\": \"u\"}, {\"role\": \"a\"}]}",
     "['a', 'b'] [('a', 1), ('b', 2)] [2, 1] cba 1, 2, 3 u/a"},
    {"filters", "int float abs round",
     "{{ '42'|int }} {{ '3.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 2.9|int }} {{ '1.5'|float }} {{ 3|float }} {{ "
     "-4|abs }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 2.1|round(0, 'ceil') }}",
     "{}", "42 3 0 7 2 1.5 3.0 4 2.57 2.0 3.0"},
    {"filters", "selectattr rejectattr map select",
     "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ ms|rejectattr('role', 'eq', "
     "'user')|list|length }} {{ ms|selectattr('ok')|list|length }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 0, "
     "2]|select|list }} {{ ['a', 'b']|map('upper')|list }} {{ ms|map(attribute='missing', default='z')|list }}",
     "{\"ms\": [{\"role\": \"user\", \"content\": \"q1\", \"ok\": true}, {\"role\": \"assistant\", \"content\": "
     "\"a1\"}, {\"role\": \"user\", \"content\": \"q2\"}]}",
     "['q1', 'q2'] 1 1 [1, 3] [1, 2] ['A', 'B'] ['z', 'z', 'z']"},
    {"filters", "sort",
     "{{ ['b', 'A', 'c']|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ms|sort(attribute='n')|map(attribute='n')|list "
     "}} {{ ['b', 'A']|sort(case_sensitive=true) }}",
     "{\"ms\": [{\"n\": 2}, {\"n\": 1}]}", "['A', 'b', 'c'] [3, 2, 1] [1, 2] ['A', 'b']"},
    {"filters", "tojson as transformers installs it",
     "{{ v|tojson }}\n{{ v|tojson(indent=2) }}\n{{ v|tojson(separators=(',', ':')) }}\n{{ v|tojson(sort_keys=true) "
     "}}\n{{ 'é\"\\n'|tojson }}\n{{ [] | tojson(indent=2) }}",
     "{\"v\": {\"z\": [1, 2.5, null, true, \"한\"], \"a\": {}, \"e\": []}}",
     "{\"z\": [1, 2.5, null, true, \"한\"], \"a\": {}, \"e\": []}\n{\n  \"z\": [\n    1,\n    2.5,\n    null,\n    "
     "true,\n    \"한\"\n  ],\n  \"a\": {},\n  \"e\": "
     "[]\n}\n{\"z\":[1,2.5,null,true,\"한\"],\"a\":{},\"e\":[]}\n{\"a\": {}, \"e\": [], \"z\": [1, 2.5, null, true, "
     "\"한\"]}\n\"é\\\"\\n\"\n[]"},
    {"filters", "indent",
     "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent('> ', blank=true) }}", "{}",
     "a\n  b\n\n  c|  a\n  b|a\n> \n> b"},
    {"tests", "is tests",
     "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ n is none }} {{ x is string }} {{ d is mapping }} "
     "{{ xs is iterable }} {{ xs is sequence }} {{ 1 is number }} {{ true is number }} {{ true is integer }} {{ 1 is "
     "integer }} {{ 1.0 is float }} {{ true is true }} {{ false is false }} {{ 0 is false }} {{ 3 is odd }} {{ 4 is "
     "even }} {{ 9 is divisibleby 3 }} {{ x is not none }} {{ 'a' is in 'cat' }} {{ 2 is gt 1 }} {{ 'ab' is lower }} "
     "{{ x is eq 'v' }} {{ x is sameas x }}",
     "{\"x\": \"v\", \"n\": null, \"d\": {}, \"xs\": [1]}",
     "True False True True True True True True True True False True True True True False True True True True True True "
     "True True True"},
    {"globals", "range", "{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(3, 0, -1)|list }}", "{}",
     "[0, 1, 2] [1, 3, 5] [3, 2, 1]"},
    {"globals", "dict and namespace from a dict", "{{ dict(a=1)['a'] }} {% set ns = namespace({'k': 2}) %}{{ ns.k }}",
     "{}", "1 2"},
    {"filters", "dictsort unique sum min max",
     "{{ d|dictsort }} {{ d|dictsort(by='value', reverse=true) }} {{ ['a', 'A', 'b', 'a']|unique|list }} {{ [1, 2.5, "
     "3]|sum }} {{ ms|sum(attribute='n') }} {{ [3, 1, 2]|min }} {{ ['b', 'C', 'a']|max }} {{ ms|max(attribute='n') }}",
     "{\"d\": {\"b\": 1, \"a\": 3, \"C\": 2}, \"ms\": [{\"n\": 2}, {\"n\": 5}]}",
     "[('a', 3), ('b', 1), ('C', 2)] [('a', 3), ('C', 2), ('b', 1)] ['a', 'b'] 6.5 7 1 C {'n': 5}"},
    {"filters", "tojson ensure_ascii", "{{ v|tojson(ensure_ascii=true) }} {{ v|tojson }}",
     "{\"v\": {\"한\": \"é😀\\u0001\177\"}}",
     "{\"\\ud55c\": \"\\u00e9\\ud83d\\ude00\\u0001\\u007f\"} {\"한\": \"é😀\\u0001\177\"}"},
};

std::string render(const RenderCase& c) {
  dokpa::jinja::Template t(c.source, "test");
  return t.render(dokpa::jinja::from_json(nlohmann::ordered_json::parse(c.variables)));
}

void check_group(const std::string& group) {
  int n = 0;
  for (const auto& c : kCases) {
    if (group != c.group) continue;
    ++n;
    INFO(c.name << "\ntemplate: " << c.source);
    CHECK(render(c) == c.expected);
  }
  CHECK(n > 0);
}

}  // namespace

TEST_CASE("jinja whitespace control matches trim_blocks and lstrip_blocks", "[jinja]") { check_group("whitespace"); }
TEST_CASE("jinja prints values as Python str does", "[jinja]") { check_group("output"); }
TEST_CASE("jinja expressions follow Python semantics", "[jinja]") { check_group("expressions"); }
TEST_CASE("jinja statements if for set macro", "[jinja]") { check_group("statements"); }
TEST_CASE("jinja string methods work by code point", "[jinja]") { check_group("strings"); }
TEST_CASE("jinja filters", "[jinja]") { check_group("filters"); }
TEST_CASE("jinja tests after is", "[jinja]") { check_group("tests"); }
TEST_CASE("jinja globals range dict namespace", "[jinja]") { check_group("globals"); }

TEST_CASE("jinja strftime_now reads the injected clock", "[jinja]") {
  dokpa::jinja::Template t("{{ strftime_now('%Y-%m-%d') }}", "test");
  dokpa::jinja::RenderOptions options;
  options.now = [] { return std::chrono::system_clock::from_time_t(1764300000 + 12 * 3600); };  // noon UTC
  std::string date = t.render(dokpa::jinja::Value::dict(), options);
  CHECK((date == "2025-11-28" || date == "2025-11-29"));  // local time zone of the test machine
  CHECK(t.render(dokpa::jinja::Value::dict(), options) == date);
}
