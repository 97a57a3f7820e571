-- Publishes a message to every live node that holds a key, except the sender.
-- KEYS: P:nodes, P:key:<edn>. ARGV: sender, message, P:to:.
-- Returns the number of nodes it was published to.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sent = 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if node ~= ARGV[1] then
    local lease = redis.call('ZSCORE', KEYS[1], node)
    if lease and tonumber(lease) > now then
      redis.call('PUBLISH', ARGV[3] .. node, ARGV[2])
      sent = sent + 1
    end
  end
end
return sent
