// Errors: syntax outside the subset and runtime failures name the template, line and column;
// raise_exception() carries the template's message as is.
#include "common/error.h"
#include "common/jinja/template.h"
#include "tests/test_support.h"

namespace {

std::string render(const std::string& source) {
  return dokpa::jinja::Template(source, "tpl.jinja").render(dokpa::jinja::Value::dict());
}

}  // namespace

TEST_CASE("jinja syntax errors give line and column", "[jinja][errors]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(render("ok\n{% if x %}never closed"), Contains("tpl.jinja: ") && Contains("expected 'endif'"));
  CHECK_THROWS_WITH(render("a\n  {{ 1 + }}"), Contains("line 2, column 10") && Contains("unexpected"));
  CHECK_THROWS_WITH(render("{{ 'open"), Contains("line 1, column 4") && Contains("unterminated string"));
  CHECK_THROWS_WITH(render("{{ x"), Contains("unclosed variable tag"));
  CHECK_THROWS_WITH(render("{# never closed"), Contains("unclosed comment"));
  CHECK_THROWS_WITH(render("{{ x | no_such_filter }}"), Contains("no filter named 'no_such_filter'"));
  CHECK_THROWS_WITH(render("{{ x is no_such_test }}"), Contains("no test named 'no_such_test'"));
  CHECK_THROWS_WITH(render("{% break %}"), Contains("'break' outside of a loop"));
  CHECK_THROWS_WITH(render("{% endfor %}"), Contains("unsupported or unknown statement 'endfor'"));
}

TEST_CASE("jinja syntax outside the subset is refused, not misrendered", "[jinja][errors]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(render("{% raw %}{{ x }}{% endraw %}"), Contains("unsupported or unknown statement 'raw'"));
  CHECK_THROWS_WITH(render("{% include 'other' %}"), Contains("unsupported or unknown statement 'include'"));
  CHECK_THROWS_WITH(render("{% for x in xs recursive %}{% endfor %}"), Contains("recursive"));
  CHECK_THROWS_WITH(render("{% filter upper %}x{% endfilter %}"), Contains("'filter'"));
  CHECK_THROWS_WITH(render("{{ f(*args) }}"), Contains("*args"));
  CHECK_THROWS_WITH(render("{% set x | trim %}a{% endset %}"), Contains("filters on a block set"));
  // Deep nesting is refused before it can exhaust the stack.
  std::string deep_expression = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  CHECK_THROWS_WITH(render(deep_expression), Contains("nested too deeply"));
  std::string deep_blocks;
  for (int i = 0; i < 5000; ++i) deep_blocks += "{% if true %}";
  CHECK_THROWS_WITH(render(deep_blocks), Contains("nested too deeply"));
  CHECK(render("{{ " + std::string(100, '(') + "1" + std::string(100, ')') + " }}") == "1");
}

TEST_CASE("jinja runtime errors follow jinja2's Undefined", "[jinja][errors]") {
  using Catch::Contains;
  CHECK(render("{{ missing }}{{ missing|length }}{{ missing ~ 'x' }}{% for a in missing %}{% endfor %}") == "0x");
  CHECK_THROWS_WITH(render("{{ missing.attr }}"), Contains("line 1, column ") && Contains("'missing' is undefined"));
  CHECK_THROWS_WITH(render("{{ missing['k'] }}"), Contains("'missing' is undefined"));
  CHECK_THROWS_WITH(render("{{ missing + 1 }}"), Contains("'missing' is undefined"));
  CHECK_THROWS_WITH(render("{% set d = {} %}{{ d.nothing.deeper }}"),
                    Contains("'dict object' has no attribute 'nothing'"));
  CHECK_THROWS_WITH(render("{{ 'a' + 1 }}"), Contains("can only concatenate str"));
  CHECK_THROWS_WITH(render("{{ 1 / 0 }}"), Contains("division by zero"));
  CHECK_THROWS_WITH(render("\n\n  {{ 1 < 'a' }}"), Contains("line 3") && Contains("not supported between"));
  CHECK_THROWS_WITH(render("{% set x = 1 %}{% set x.y = 2 %}"), Contains("non-namespace"));
  CHECK_THROWS_WITH(render("{{ none|tojson }}{{ missing|tojson }}"), Contains("not JSON serializable"));
  CHECK_THROWS_WITH(render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"), Contains("nested more than"));
  CHECK_THROWS_WITH(render("{{ range(200000)|length }}"), Contains("Range too big"));
}

TEST_CASE("jinja raise_exception carries the template's message", "[jinja][errors]") {
  try {
    render("{% if true %}{{ raise_exception('Roles must alternate user/assistant/...') }}{% endif %}");
    FAIL("raise_exception did not throw");
  } catch (const dokpa::Error& e) {
    CHECK(e.source() == "tpl.jinja");
    CHECK(std::string(e.what()) == "tpl.jinja: Roles must alternate user/assistant/...");
  }
}
