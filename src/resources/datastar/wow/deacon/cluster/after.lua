-- Reads a key's log after an id, if the log still holds that id within the window; or, with
-- 'since', whatever it holds after the id within the window (the pushes a node missed); or, with
-- 'all', whatever it holds within the window.
-- KEYS: P:ev:<edn> or P:bc. ARGV: id ('' for none), window in ms, 'range', 'holds', 'since' or
-- 'all'.
-- Returns {1 if found (or no id asked), the log's last id or ''}, then, for 'range', 'since' and
-- 'all', each later entry's id and its one field's value.
local log, id, window = KEYS[1], ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
local last = ''
if newest[1] then last = newest[1][1] end
local out = {1, last}
if ARGV[3] == 'since' or ARGV[3] == 'all' then
  local from = '-'
  if ARGV[3] == 'since' then from = '(' .. id end
  for _, entry in ipairs(redis.call('XRANGE', log, from, '+')) do
    if tonumber(string.match(entry[1], '^(%d+)-')) >= now - window then
      out[#out + 1] = entry[1]
      out[#out + 1] = entry[2][2]
    end
  end
  return out
end
if id == '' then return out end
local ms = tonumber(string.match(id, '^(%d+)-%d+$'))
if not ms or ms < now - window or #redis.call('XRANGE', log, id, id) == 0 then return {0, last} end
if ARGV[3] == 'holds' then return out end
for _, entry in ipairs(redis.call('XRANGE', log, '(' .. id, '+')) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out
