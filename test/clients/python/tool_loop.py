"""One tool loop with an official Python SDK through an llmux door, as a user writes it.

Usage: tool_loop.py <openai|responses|anthropic|gemini> <plain|stream> <llmux url> <key> <model> <prompt>
The model's `write_file` calls are run for real; the final text is printed on the last line.
"""

import json
import sys

door, mode, url, key, model, prompt = sys.argv[1:7]
stream = mode == "stream"

SCHEMA = {
    "type": "object",
    "properties": {
        "file_path": {"type": "string", "description": "Absolute path of the file"},
        "content": {"type": "string", "description": "What to write"},
    },
    "required": ["file_path", "content"],
}


def write_file(args):
    with open(args["file_path"], "w") as f:
        f.write(args["content"])
    return f"wrote {len(args['content'])} bytes"


def openai_loop():
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)
    tools = [{"type": "function", "function": {"name": "write_file", "description": "Write a file", "parameters": SCHEMA}}]
    messages = [{"role": "user", "content": prompt}]
    for _ in range(4):
        if stream:
            text, calls = "", {}
            for chunk in client.chat.completions.create(model=model, messages=messages, tools=tools, stream=True):
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                text += delta.content or ""
                for tc in delta.tool_calls or []:
                    call = calls.setdefault(tc.index, {"id": None, "name": None, "arguments": ""})
                    call["id"] = tc.id or call["id"]
                    if tc.function is not None:
                        call["name"] = tc.function.name or call["name"]
                        call["arguments"] += tc.function.arguments or ""
            tool_calls = [{"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}} for c in calls.values()]
        else:
            message = client.chat.completions.create(model=model, messages=messages, tools=tools).choices[0].message
            text = message.content or ""
            tool_calls = [tc.model_dump() for tc in message.tool_calls or []]
        if not tool_calls:
            return text
        messages.append({"role": "assistant", "content": text or None, "tool_calls": tool_calls})
        for tc in tool_calls:
            result = write_file(json.loads(tc["function"]["arguments"]))
            messages.append({"role": "tool", "tool_call_id": tc["id"], "content": result})
    raise SystemExit("the loop did not end")


def responses_loop():
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)
    tools = [{"type": "function", "name": "write_file", "description": "Write a file", "parameters": SCHEMA}]
    items = [{"role": "user", "content": prompt}]
    for _ in range(4):
        if stream:
            with client.responses.stream(model=model, input=items, tools=tools) as s:
                response = s.get_final_response()
        else:
            response = client.responses.create(model=model, input=items, tools=tools)
        calls = [o for o in response.output if o.type == "function_call"]
        if not calls:
            return response.output_text
        for c in calls:
            items.append({"type": "function_call", "call_id": c.call_id, "name": c.name, "arguments": c.arguments})
            items.append({"type": "function_call_output", "call_id": c.call_id, "output": write_file(json.loads(c.arguments))})
    raise SystemExit("the loop did not end")


def anthropic_loop():
    from anthropic import Anthropic

    client = Anthropic(base_url=url, api_key=key, max_retries=0)
    tools = [{"name": "write_file", "description": "Write a file", "input_schema": SCHEMA}]
    messages = [{"role": "user", "content": prompt}]
    for _ in range(4):
        if stream:
            with client.messages.stream(model=model, max_tokens=1024, tools=tools, messages=messages) as s:
                message = s.get_final_message()
        else:
            message = client.messages.create(model=model, max_tokens=1024, tools=tools, messages=messages)
        uses = [b for b in message.content if b.type == "tool_use"]
        if not uses:
            return "".join(b.text for b in message.content if b.type == "text")
        messages.append({"role": "assistant", "content": [b.model_dump() for b in message.content]})
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": u.id, "content": write_file(u.input)} for u in uses]})
    raise SystemExit("the loop did not end")


def gemini_loop():
    from google import genai
    from google.genai import types

    client = genai.Client(api_key=key, http_options=types.HttpOptions(base_url=url))
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="write_file", description="Write a file", parameters_json_schema=SCHEMA)])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    contents = [types.Content(role="user", parts=[types.Part(text=prompt)])]
    for _ in range(4):
        if stream:
            parts = []
            for chunk in client.models.generate_content_stream(model=model, contents=contents, config=config):
                if chunk.candidates and chunk.candidates[0].content and chunk.candidates[0].content.parts:
                    parts.extend(chunk.candidates[0].content.parts)
        else:
            response = client.models.generate_content(model=model, contents=contents, config=config)
            parts = response.candidates[0].content.parts or []
        calls = [p.function_call for p in parts if p.function_call is not None]
        if not calls:
            return "".join(p.text or "" for p in parts)
        contents.append(types.Content(role="model", parts=parts))
        contents.append(
            types.Content(
                role="user",
                parts=[types.Part.from_function_response(name=c.name, response={"result": write_file(c.args)}) for c in calls],
            )
        )
    raise SystemExit("the loop did not end")


final = {"openai": openai_loop, "responses": responses_loop, "anthropic": anthropic_loop, "gemini": gemini_loop}[door]()
print(final)
