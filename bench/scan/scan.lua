-- wrk script: POST /api/v1/scans as many citizens at many venues (one line per pair in
-- the file named by SCAN_PAIRS: "bearer-token<TAB>venue-url").
local pairs_file = os.getenv("SCAN_PAIRS")
local items = {}
for line in io.lines(pairs_file) do
  local token, url = line:match("([^\t]+)\t([^\t]+)")
  items[#items + 1] = { token = token, body = '{"venue_code":"' .. url .. '"}' }
end
local counter = 0
local thread_offset = 0

function request()
  counter = counter + 1
  local item = items[((thread_offset + counter * 7919) % #items) + 1]
  return wrk.format("POST", "/api/v1/scans", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. item.token,
  }, item.body)
end

-- response() runs in each worker thread's own Lua state: count there, and sum the
-- per-thread tables in done() (which runs in the main state) through thread:get().
local threads = {}
function setup(thread)
  thread:set("thread_offset", math.random(1, #items))
  table.insert(threads, thread)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  io.write("STATUS")
  for code, n in pairs(total) do io.write(" " .. code .. "=" .. n) end
  io.write("\n")
end
