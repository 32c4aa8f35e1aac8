-- One endpoint under wrk; prints exact p50/p95 (µs) and counts as one JSON line.
-- BENCH_AUTH: Authorization header value; BENCH_COOKIE: Cookie header value;
-- BENCH_CODES: a file of one-time sign-in codes, one per line, POSTed as {"code": "..."}.
local auth = os.getenv("BENCH_AUTH")
local cookie = os.getenv("BENCH_COOKIE")
local codes_file = os.getenv("BENCH_CODES")
local codes = {}
local next_code = 0

function init(args)
  if codes_file then
    for line in io.lines(codes_file) do codes[#codes + 1] = line end
  end
end

function request()
  local headers = {}
  if auth then headers["Authorization"] = auth end
  if cookie then headers["Cookie"] = cookie end
  if codes_file then
    next_code = next_code + 1
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", nil, headers, '{"code": "' .. (codes[next_code] or "EXHAUSTED") .. '"}')
  end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"p50_us": %d, "p95_us": %d, "requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d}\n',
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
