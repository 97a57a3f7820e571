-- The number of live nodes holding one key.
-- KEYS: P:nodes, P:key:<edn>. Returns the count.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local lease = redis.call('ZSCORE', KEYS[1], node)
  if lease and tonumber(lease) > now then n = n + 1 end
end
return n
