-- The bench's mock upstream, run by nginx's Lua module: an OpenAI chat endpoint and an
-- Anthropic Messages endpoint, stream and non-stream, answering from memory so that the mock
-- is never what the bench measures. A model name may carry the stream's shape:
-- "bench-n20-i10" streams 20 content events 10 ms apart (defaults: 20 and 10).
local method = ngx.req.get_method()
local uri = ngx.var.uri

local function shape(model)
  local n = tonumber(string.match(model, "%-n(%d+)")) or 20
  local i = tonumber(string.match(model, "%-i(%d+)")) or 10
  return n, i
end

if method == "GET" and (uri == "/v1/models" or uri == "/models") then
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"object":"list","data":[{"id":"bench","object":"model","created":1700000000,"owned_by":"mock"},{"id":"claude-bench","type":"model","display_name":"claude-bench","created_at":"2025-05-14T00:00:00Z"}]}')
  return
end

if method ~= "POST" then
  ngx.status = 404
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"error":{"message":"not found","type":"invalid_request_error"}}')
  return
end

ngx.req.read_body()
local body = ngx.req.get_body_data() or ""
-- Clients put "model" first and "stream" near either end: looking only there keeps a 500 KB
-- conversation as cheap for the mock as a 1 KB one.
local ends = #body > 2048 and (string.sub(body, 1, 1024) .. string.sub(body, -1024)) or body
local model = string.match(ends, '"model"%s*:%s*"([^"]*)"') or "bench"
local stream = string.find(ends, '"stream"%s*:%s*true') ~= nil

if uri == "/v1/chat/completions" or uri == "/chat/completions" then
  if not stream then
    local out = '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"' .. model ..
      '","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench mock","refusal":null},' ..
      '"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}'
    ngx.header["Content-Type"] = "application/json"
    ngx.header["Content-Length"] = #out
    ngx.print(out)
    return
  end
  local n, i = shape(model)
  local head = 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"' .. model ..
    '","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{'
  ngx.header["Content-Type"] = "text/event-stream"
  ngx.header["Cache-Control"] = "no-cache"
  for k = 0, n - 1 do
    if k > 0 then ngx.sleep(i / 1000) end
    local role = (k == 0) and '"role":"assistant",' or ''
    ngx.print(head .. role .. '"content":"w' .. k .. '"},"logprobs":null,"finish_reason":null}]}\n\n')
    ngx.flush(true)
  end
  ngx.print(head .. '},"logprobs":null,"finish_reason":"stop"}]}\n\n' ..
    'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"' .. model ..
    '","system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":' .. n .. ',"total_tokens":' .. (12 + n) .. '}}\n\n' ..
    'data: [DONE]\n\n')
  return
end

if uri == "/v1/messages" then
  if not stream then
    local out = '{"id":"msg_bench","type":"message","role":"assistant","model":"' .. model ..
      '","content":[{"type":"text","text":"Hello from the bench mock"}],"stop_reason":"end_turn","stop_sequence":null,' ..
      '"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6}}'
    ngx.header["Content-Type"] = "application/json"
    ngx.header["Content-Length"] = #out
    ngx.print(out)
    return
  end
  local n, i = shape(model)
  ngx.header["Content-Type"] = "text/event-stream; charset=utf-8"
  ngx.header["Cache-Control"] = "no-cache"
  local start = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"' .. model ..
    '","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n' ..
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
  for k = 0, n - 1 do
    if k > 0 then ngx.sleep(i / 1000) end
    local delta = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w' .. k .. '"}}\n\n'
    if k == 0 then ngx.print(start .. delta) else ngx.print(delta) end
    ngx.flush(true)
  end
  ngx.print('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' ..
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":' .. n .. '}}\n\n' ..
    'event: message_stop\ndata: {"type":"message_stop"}\n\n')
  return
end

ngx.status = 404
ngx.header["Content-Type"] = "application/json"
ngx.print('{"error":{"message":"not found","type":"invalid_request_error"}}')
