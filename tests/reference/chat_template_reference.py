"""transformers' apply_chat_template(..., tokenize=False), the reference for dokpa's ChatTemplate.

Renders the default model's real chat template and templates written here (modelled on the
constructs of ChatML, reasoning, alternating-role, header-style and turn-style templates) over
several conversations and options, with strftime_now pinned to a fixed instant. Writes JSON to
--out: the templates, the special tokens the tokenizer passes, and every case's expected text
or expected error message.
"""
import argparse
import datetime as real_datetime
import json
import os
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import transformers.utils.chat_template_utils as chat_template_utils  # noqa: E402
from transformers.tokenization_utils_fast import PreTrainedTokenizerFast  # noqa: E402
from transformers.utils import logging  # noqa: E402

FIXED_TIMESTAMP = 1_764_300_000  # 2025-11-28, what both sides' strftime_now() read


class PinnedDatetime(real_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return real_datetime.datetime.fromtimestamp(FIXED_TIMESTAMP, tz)


# ChatML with a default system prompt, tools as JSON and trimmed content.
CHATML = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\\n\\n' }}
    {%- endif %}
    {{- "# Tools\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>system\\nYou are a careful grader of Korean exams.<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if message.role == "user" or (message.role == "system" and not loop.first) or message.role == "assistant" %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content | trim }}
        {%- for call in message.tool_calls | default([]) %}
            {{- '\\n<tool_call>\\n' + {'name': call.function.name, 'arguments': call.function.arguments} | tojson + '\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>' + '\\n' }}
    {%- elif message.role == "tool" %}
        {{- ('<|im_start|>user' if loop.first or messages[loop.index0 - 1].role != "tool" else '') + '\\n<tool_response>\\n' + (message.content if message.content is string else message.content | tojson) + '\\n</tool_response>' }}
        {{- '<|im_end|>\\n' if loop.last or messages[loop.index0 + 1].role != "tool" else '' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""

# A reasoning template: the last user query found by reverse iteration with a namespace,
# earlier assistant turns lose their <think> part, enable_thinking=false writes an empty one.
REASONING = """{%- set ns = namespace(multi_step=true, last_query=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step and message.role == "user" and not (message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step = false %}
        {%- set ns.last_query = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.role == "system" or message.role == "user" %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {%- set content = message.content %}
        {%- set reasoning = '' %}
        {%- if '</think>' in content %}
            {%- set reasoning = content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}
            {%- set content = content.split('</think>')[-1].lstrip('\\n') %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query %}
            {%- if loop.last or (not loop.last and reasoning) %}
                {{- '<|im_start|>' + message.role + '\\n<think>\\n' + reasoning.strip('\\n') + '\\n</think>\\n\\n' + content.lstrip('\\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\\n' + content }}
        {%- endif %}
        {{- '<|im_end|>\\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\\n\\n</think>\\n\\n' }}
    {%- endif %}
{%- endif %}"""

# Strictly alternating roles with an optional system prompt folded into the first turn.
ALTERNATING = """{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}
{% for message in loop_messages %}
  {% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
    {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
  {% endif %}
  {% if loop.index0 == 0 and system_message != false %}
    {% set content = system_message + '\\n\\n' + message['content'] %}
  {% else %}
    {% set content = message['content'] %}
  {% endif %}
  {% if message['role'] == 'user' %}
    {{ '[INST] ' + content.strip() + ' [/INST]' }}
  {% elif message['role'] == 'assistant' %}
    {{ ' '  + content.strip() + ' ' + eos_token }}
  {% else %}
    {{ raise_exception('Only user and assistant roles are supported, got ' ~ message['role'] ~ '!') }}
  {% endif %}
{% endfor %}
"""

# Header-style turns with a dated system block (strftime_now unless date_string is given),
# tools as indented JSON and a block set.
HEADERS = """{{- bos_token }}
{%- if not date_string is defined %}
    {%- set date_string = strftime_now("%d %b %Y") %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{%- set header %}
Cutting Knowledge Date: December 2023
Today Date: {{ date_string }}
{% endset %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{{- header }}
{%- if tools is not none %}
    {{- "Tools you may call:\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

# Turn-style with role renaming, a macro, filters, tests, loop.* and whitespace control of
# every kind (plain tags relying on trim_blocks/lstrip_blocks, '-', '+', comments).
TURNS = """{#- A template that tries most of the engine. -#}
{% macro turn(role, text, last=false) -%}
<start_of_turn>{{ role }}
{{ text | trim }}{% if not last %}<end_of_turn>{% endif %}
{%- endmacro %}
{% set roles = {'user': 'user', 'assistant': 'model', 'system': 'user'} %}
{% if messages[0]['role'] == 'system' -%}
    {%- set first_prefix = messages[0]['content'] ~ '\\n\\n' -%}
    {%- set rest = messages[1:] -%}
{%- else -%}
    {%- set first_prefix = '' -%}
    {%- set rest = messages -%}
{%- endif %}
{% for message in rest %}
    {% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {% endif %}
{{ turn(roles[message['role']], (first_prefix if loop.first else '') + message['content']) }}
{# index {{ loop.index }} #}
  {%+ if loop.last %}[last of {{ loop.length }}, revindex {{ loop.revindex }}]{% endif %}
{% endfor %}
{% set users = messages | selectattr('role', 'equalto', 'user') | list %}
{% set names = messages | map(attribute='role') | join(',') %}
roles: {{ names | upper }} / users: {{ users | length }} / first user: {{ (users | first)['content'][:12] }} / last: {{ (messages | last).role | title }}
{% for key, value in {'temperature': 0.0, 'top_k': 1, 'name': "it's"}.items() %}
{{ "%s=%s" % (key, value) }}{{ ';' if not loop.last else '' }}
{%- endfor %}

{% for message in messages if message.role != 'system' %}
{% if loop.index > 3 %}{% break %}{% endif %}
{% if message.content is string and message.content | length > 40 %}{% continue %}{% endif %}
{{ loop.index }}:{{ message.content | replace('\\n', ' ') }}
{% else %}
no turns
{% endfor %}
{{ 'extra: ' ~ (extra_note | default('none')) ~ ' / ' ~ (messages | length is divisibleby 2) ~ ' / ' ~ (messages[-1]['content'].split() | length) }}
{% if add_generation_prompt %}
<start_of_turn>model
{% endif %}"""

# Turn markers with the reasoning cut on earlier turns and Korean-friendly string methods.
EXAONE_LIKE = """{% for message in messages %}{% if loop.first and message['role'] != 'system' %}{{ '[|system|][|endofturn|]\\n' }}{% endif %}{% if message['role'] == 'assistant' and not loop.last %}{{ '[|assistant|]' + message['content'].split('</thought>')[-1].strip() + '[|endofturn|]\\n' }}{% elif message['role'] == 'assistant' %}{{ '[|assistant|]' + message['content'] + '[|endofturn|]' }}{% else %}{{ '[|' + message['role'] + '|]' + message['content'] + ('\\n' if loop.last else '[|endofturn|]\\n') }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '[|assistant|]<thought>\\n' if enable_thinking | default(false) else '[|assistant|]' }}{% endif %}"""

TEMPLATES = {
    "chatml": CHATML,
    "reasoning": REASONING,
    "alternating": ALTERNATING,
    "headers": HEADERS,
    "turns": TURNS,
    "exaone_like": EXAONE_LIKE,
}

SYSTEM = {"role": "system", "content": "당신은 한국어 시험을 채점하는 조수입니다.\nAnswer briefly."}
CONVERSATIONS = {
    "single_user": [{"role": "user", "content": "What is 2+2?"}],
    "system_user": [SYSTEM, {"role": "user", "content": "  서울은 어느 나라의 수도입니까?  "}],
    "few_shot": [
        SYSTEM,
        {"role": "user", "content": "질문: 1+1은?\n답:"},
        {"role": "assistant", "content": " 2 "},
        {"role": "user", "content": "Question: the capital of France?\nAnswer:"},
        {"role": "assistant", "content": "Paris"},
        {"role": "user", "content": "질문: \"큰따옴표\"와 '작은따옴표', 탭\t그리고 백슬래시 \\ 는?"},
    ],
    "reasoning_turns": [
        {"role": "user", "content": "Think: 3*7?"},
        {"role": "assistant", "content": "<think>\n3*7 is 21.\n</think>\n\n21"},
        {"role": "user", "content": "<tool_response>ok</tool_response>"},
        {"role": "assistant", "content": "<thought>짧게 생각함</thought> 다음 답은 42입니다."},
        {"role": "user", "content": "And 6*7?"},
    ],
    "final_assistant": [
        {"role": "user", "content": "Count to three."},
        {"role": "assistant", "content": "<think>easy</think>one, two, three"},
    ],
    "tool_calls": [
        {"role": "user", "content": "서울 날씨 알려줘"},
        {"role": "assistant", "content": "",
         "tool_calls": [{"type": "function", "function": {"name": "weather", "arguments": {"city": "서울", "days": 2}}}]},
        {"role": "tool", "content": {"temp": 3.5, "sky": "비"}},
        {"role": "tool", "content": "no alerts"},
        {"role": "assistant", "content": "춥고 비가 옵니다."},
        {"role": "user", "content": "고마워"},
    ],
    "content_parts": [
        {"role": "system", "content": [{"type": "text", "text": "Grade strictly."}]},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": " 이 그림은 무엇입니까? "}]},
    ],
    "bad_order": [{"role": "user", "content": "first"}, {"role": "user", "content": "second"}],
    "bad_role": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "{}"}],
}

TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "찾기 \"검색\"",
                                            "parameters": {"type": "object", "properties": {"q": {"type": "string"}},
                                                           "required": ["q"]}, "weight": 0.5}}]

# (add_generation_prompt, extra kwargs, tools)
OPTION_SETS = [
    (False, {}, None),
    (True, {}, None),
    (True, {"enable_thinking": False}, None),
    (True, {"enable_thinking": True, "extra_note": "메모"}, None),
    (True, {"date_string": "01 Jan 2030"}, TOOLS),
]


def render(tokenizer, template, messages, add_generation_prompt, extra, tools):
    try:
        text = tokenizer.apply_chat_template(messages, chat_template=template, tokenize=False,
                                             add_generation_prompt=add_generation_prompt, tools=tools, **extra)
        return {"expected": text}
    except Exception as e:  # raise_exception and other template errors
        return {"error": str(e), "error_type": type(e).__name__}


def main():
    parser = argparse.ArgumentParser()
    # The default model, found as tests/test_support.h finds it.
    cache = os.environ.get("DOKPA_CACHE") or os.path.join(os.environ.get("HOME", "/root"), ".cache/dokpa")
    default_model = os.environ.get("DOKPA_MODEL") or os.path.join(cache, "models/SmolLM2-135M-Instruct")
    parser.add_argument("--model", type=Path, default=Path(default_model))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    chat_template_utils.datetime = PinnedDatetime
    # The base fast class loads in half the time AutoTokenizer takes (no model-class lookup);
    # apply_chat_template and the special tokens are the same. Its class-mismatch notice is muted.
    logging.set_verbosity_error()
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(args.model))
    templates = dict(TEMPLATES)
    templates["smollm2"] = tokenizer.chat_template

    cases = []
    for name, template in templates.items():
        for conv_name, messages in CONVERSATIONS.items():
            for generation, extra, tools in OPTION_SETS:
                case = {"template": name, "conversation": conv_name, "add_generation_prompt": generation,
                        "extra": extra, "tools": tools}
                case.update(render(tokenizer, template, messages, generation, extra, tools))
                cases.append(case)
    # continue_final_message on templates that keep the final message whole.
    for name in ("smollm2", "chatml", "exaone_like"):
        messages = CONVERSATIONS["final_assistant"]
        text = tokenizer.apply_chat_template(messages, chat_template=templates[name], tokenize=False,
                                             continue_final_message=True)
        cases.append({"template": name, "conversation": "final_assistant", "add_generation_prompt": False,
                      "continue_final_message": True, "extra": {}, "tools": None, "expected": text})

    out = {"fixed_timestamp": FIXED_TIMESTAMP, "special_tokens": tokenizer.special_tokens_map,
           "templates": templates, "conversations": CONVERSATIONS, "cases": cases}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    errors = sum("error" in c for c in cases)
    print(f"{len(cases)} cases, {errors} expected errors")


if __name__ == "__main__":
    main()
