-- wrk script for benches/web/run.sh: after a run, one line of numbers that run.sh reads:
--   requests seconds rps p50_ms p90_ms p99_ms max_ms bytes errors
-- where errors counts connect, read, write and timeout errors and non-2xx/3xx answers.
-- BENCH_DELAY_MS (optional): each connection waits about this long (uniformly 0.5x to 1.5x) before
-- every request, which paces the load at about connections / delay requests per second.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause and pause > 0 then
  delay = function()
    return math.floor(pause * (0.5 + math.random()) + 0.5)
  end
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %.1f %.3f %.3f %.3f %.3f %d %d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.bytes,
    e.connect + e.read + e.write + e.timeout + e.status))
end
