-- wrk script: POST one webhook body (read from the file given after `--`)
-- on every keep-alive request, and print the run's figures as one JSON line.
-- Usage: wrk -t1 -c64 -d5s -s post.lua URL -- body.json
local body_file = nil

function init(args)
  body_file = args[1]
  local f = assert(io.open(body_file, "rb"), "post.lua: cannot read body file " .. tostring(body_file))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

-- No response() hook: it would make wrk hand every answer to Lua and slow the
-- generator down. summary.errors.status counts answers that are not 2xx/3xx.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"lat_mean_us":%.1f,"lat_max_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
