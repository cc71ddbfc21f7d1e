-- wrk script: POST one webhook body (read from the first file given after `--`)
-- to each of the paths given after it in turn, one path per request, so every
-- lane (token, env) gets its share. Prints the run's figures as one JSON line.
-- Usage: wrk -t1 -c8 -d60s -s lanes.lua URL -- body.json /path1 /path2 ...
local body = nil
local paths = {}
local i = 0

function init(args)
  local f = assert(io.open(args[1], "rb"), "lanes.lua: cannot read body file " .. tostring(args[1]))
  body = f:read("*a")
  f:close()
  for k = 2, #args do paths[#paths + 1] = args[k] end
  assert(#paths > 0, "lanes.lua: no paths given")
end

function request()
  i = i + 1
  return wrk.format("POST", paths[(i % #paths) + 1], { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"lat_mean_us":%.1f,"lat_max_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
