-- wrk script for the bench. Arguments (after `--`):
--   rate (total req/s, 0 = as fast as possible), threads, body file, then "Name: value" headers.
-- At a fixed rate the sends follow a schedule (open loop): each thread hands out send slots
-- `threads / rate` seconds apart, and a connection that finishes early waits for its next slot.
-- A late server therefore faces the same offered load instead of a slower client (no
-- coordinated omission as long as enough connections are idle, which the bench ensures by
-- running far below capacity). done() prints one JSON line the harness parses, with wrk's own
-- CPU time (os.clock() is the process's, all threads) so the report can show its share.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval = 0
local next_at = nil
local statuses = {}

function init(args)
  local rate = tonumber(args[1]) or 0
  local threads = tonumber(args[2]) or 1
  if rate > 0 then interval = 1000 * threads / rate end
  local f = assert(io.open(args[3], "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
  for k = 4, #args do
    local name, value = string.match(args[k], "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
end

function delay()
  if interval == 0 then return 0 end
  local t = now_ms()
  if next_at == nil then next_at = t end
  local slot = next_at
  next_at = next_at + interval
  local d = slot - t
  if d < 0 then return 0 end
  return d
end

function done(summary, latency, requests)
  local p = function(q) return latency:percentile(q) end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"cpu_s":%.3f,"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, os.clock(),
    latency.min, latency.mean, latency.stdev, latency.max, p(50), p(90), p(99), p(99.9)))
end
