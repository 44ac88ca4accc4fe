-- wrk script for `make bench`: many anonymous clients, optional cache busting, and one
-- machine-readable line at the end (bench/wrk.py parses it).
--
-- Every request carries an X-Forwarded-For from a pool of BENCH_CLIENTS addresses, so per-client
-- throttling sees many ordinary visitors instead of one client over its limit; with
-- BENCH_CACHE_BUST=1 each request gets a query string of its own, so no cache can answer it.
-- Answers other than 2xx are tallied by status: wrk itself counts 3xx as successes.

local bust = os.getenv("BENCH_CACHE_BUST") == "1"
local clients = tonumber(os.getenv("BENCH_CLIENTS") or "1024")
local counter = 0
local threads = {}
statuses = {}  -- answers other than 2xx, by status (global: done() reads it from each thread)

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  math.randomseed(os.time() + 7919 * (id or 0))
end

function request()
  counter = counter + 1
  local n = math.random(0, clients - 1)
  wrk.headers["X-Forwarded-For"] = "10.9." .. math.floor(n / 256) .. "." .. (n % 256)
  local path = wrk.path
  if bust then
    local sep = "?"
    if string.find(path, "?", 1, true) then sep = "&" end
    path = path .. sep .. "bench-nocache=" .. id .. "-" .. counter
  end
  return wrk.format(nil, path)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", "),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
