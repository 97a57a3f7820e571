-- Refreshes (or, with a lease of 0, gives up) a node's lease, moves nodes whose lease ended
-- to P:dead, and removes up to a budget of dead nodes' keys from the directory.
-- A dead node's keys are marked recent for the window, as a node's own removal marks them.
-- KEYS: P:nodes, P:dead. ARGV: node, lease in ms, P:, budget, window in ms (0: no shared history).
-- Returns {1 if the node was not live before, number of dead nodes left to clean}: a 1 tells
-- the node that the others gave it up and it must write its keys again.
local nodes, dead, self, prefix = KEYS[1], KEYS[2], ARGV[1], ARGV[3]
local lease, budget, window = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5] or '0')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fresh = 0
if lease > 0 then
  fresh = redis.call('ZADD', nodes, string.format('%.0f', now + lease), self)
  redis.call('SREM', dead, self)
else
  redis.call('ZREM', nodes, self)
  redis.call('SADD', dead, self)
end
local ended = redis.call('ZRANGEBYSCORE', nodes, '-inf', '(' .. string.format('%.0f', now))
for _, node in ipairs(ended) do
  redis.call('ZREM', nodes, node)
  redis.call('SADD', dead, node)
end
for _, node in ipairs(redis.call('SMEMBERS', dead)) do
  if budget <= 0 then break end
  local held = prefix .. 'held:' .. node
  local keys = redis.call('SPOP', held, budget)
  for _, key in ipairs(keys) do
    redis.call('SREM', prefix .. 'key:' .. key, node)
    if window > 0 then redis.call('SET', prefix .. 'recent:' .. key, node, 'PX', window) end
  end
  budget = budget - #keys
  if redis.call('EXISTS', held) == 0 then redis.call('SREM', dead, node) end
end
return {fresh, redis.call('SCARD', dead)}
