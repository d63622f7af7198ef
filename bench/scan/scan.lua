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

function setup(thread)
  thread:set("thread_offset", math.random(1, #items))
end

function request()
  counter = counter + 1
  local item = items[((thread_offset + counter * 7919) % #items) + 1]
  return wrk.format("POST", "/api/v1/scans", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. item.token,
  }, item.body)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write("STATUS")
  for code, n in pairs(statuses) do io.write(" " .. code .. "=" .. n) end
  io.write("\n")
end
