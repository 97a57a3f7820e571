-- The keys held by live nodes, each once.
-- KEYS: P:nodes. ARGV: P:held:. Returns the keys' canonical EDN.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seen, out = {}, {}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')
for _, node in ipairs(live) do
  for _, key in ipairs(redis.call('SMEMBERS', ARGV[1] .. node)) do
    if not seen[key] then
      seen[key] = true
      out[#out + 1] = key
    end
  end
end
return out
