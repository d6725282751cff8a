-- wrk script for bench/endpoint.py: posts a valid Victim Voice response with a
-- fresh submission UUID each time (a repeated one would only measure the
-- store's dedupe), counts statuses per thread, and writes the row id of each
-- 201 to a file so the benchmark can check every acknowledged response is
-- stored once.
--
-- Settings come from the environment, which every wrk thread can read:
--   FW_BODY      file holding the JSON body, with @SID@ where the UUID goes
--   FW_IDS       prefix of the per-thread files of acknowledged row ids
--   FW_SEED      seed for the UUIDs, new for every run
--   FW_THINK_MS  mean think time per connection; 0 or unset: no delay at all

local think = tonumber(os.getenv("FW_THINK_MS") or "") or 0
local threads = {}
local created = 0

function setup(thread)
  created = created + 1
  thread:set("tid", created)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("FW_BODY"), "r"))
  local template = file:read("*a")
  file:close()
  local at = assert(template:find("@SID@", 1, true), "no @SID@ in the body")
  head, tail = template:sub(1, at - 1), template:sub(at + 5)
  ids = assert(io.open(os.getenv("FW_IDS") .. "." .. tid, "w"))
  math.randomseed(tonumber(os.getenv("FW_SEED")) + tid * 104729)
  sent, statuses = 0, {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local random = math.random

local function uuid4()
  return string.format(
    "%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
    random(0, 0xffff), random(0, 0xffff), random(0, 0xffff), random(0, 0xfff),
    random(0x8000, 0xbfff), random(0, 0xffff), random(0, 0xffff), random(0, 0xffff)
  )
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, head .. uuid4() .. tail)
end

local function think_time()
  -- Exponential think time, rounded up or down at random so that the mean
  -- holds although wrk only takes whole milliseconds: respondents who act
  -- independently, not in lockstep.
  local wait = -think * math.log(1 - random())
  local whole = math.floor(wait)
  if random() < wait - whole then
    whole = whole + 1
  end
  return whole
end

-- wrk checks once for a delay hook and, when there is one, schedules a timer
-- before every request: saturation runs leave it out.
if think > 0 then
  delay = think_time
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    ids:write(body:match('"id":"([0-9a-f-]+)"') or "?", "\n")
  end
end

function done(summary, latency, requests)
  local total_sent, counts = 0, {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'FW_RESULT {"duration_us":%d,"responses":%d,"sent":%d,"statuses":{%s},'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.duration, summary.requests, total_sent, table.concat(parts, ","),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max
  ))
end
