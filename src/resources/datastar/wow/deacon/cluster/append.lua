-- Appends events to a key's log (a Redis stream) and publishes them to every live node that
-- holds the key, the appending node included; nothing is kept when no node holds the key and
-- none held it within the window (no P:recent:<edn>), nor when the token was appended before.
-- With no events, it only claims the token for the key.
-- KEYS: P:nodes, P:key:<edn>, P:ev:<edn>, P:recent:<edn>, P:evtop, P:once:<token>:<edn>.
-- ARGV: sender, the key's EDN, events kept per key, window in ms, P:to:, token ('' for none),
--       '1' when the sender holds a stream under the key now (its registration may not have
--       reached the directory yet), then each event's EDN.
-- Returns {the id before them or '', then the id of each event}: {} when nothing was kept.
local nodes, holders, log, recent, top, once = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = ARGV[4]
if ARGV[6] ~= '' and not redis.call('SET', once, '1', 'NX', 'PX', window) then return {} end
-- no events: the token is claimed for the key, so that no other node's rendering of it is kept
if #ARGV < 8 then return {} end
local members = redis.call('SMEMBERS', holders)
if #members == 0 and ARGV[7] ~= '1' and redis.call('EXISTS', recent) == 0 then return {} end

-- Ids grow across every key: the one after the last given anywhere, at the earliest now.
local function parse(id)
  local ms, seq = string.match(id or '', '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local previous = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
local prev = 'nil'
local ms, seq = now, -1
for _, id in ipairs({redis.call('GET', top), previous[1] and previous[1][1]}) do
  local m, s = parse(id)
  if m and (m > ms or (m == ms and s > seq)) then ms, seq = m, s end
end
if previous[1] then prev = '"' .. previous[1][1] .. '"' end

local ids, given, events = {}, {previous[1] and previous[1][1] or ''}, {}
for i = 8, #ARGV do
  seq = seq + 1
  local id = string.format('%.0f-%.0f', ms, seq)
  redis.call('XADD', log, 'MAXLEN', '~', ARGV[3], id, 'e', ARGV[i])
  ids[#ids + 1] = '"' .. id .. '"'
  given[#given + 1] = id
  events[#events + 1] = ARGV[i]
end
redis.call('SET', top, string.format('%.0f-%.0f', ms, seq))
redis.call('PEXPIRE', log, window)

local message = '{:v 1, :from "' .. ARGV[1] .. '", :key ' .. ARGV[2] .. ', :prev ' .. prev
  .. ', :ids [' .. table.concat(ids, ' ') .. '], :events [' .. table.concat(events, ' ') .. ']}'
for _, node in ipairs(members) do
  local lease = redis.call('ZSCORE', nodes, node)
  if lease and tonumber(lease) > now then redis.call('PUBLISH', ARGV[5] .. node, message) end
end
return given
