-- Adds and removes a node's keys, in order.
-- KEYS: P:held:<node>. ARGV: node, P:key:, then pairs of + or - and a key's canonical EDN.
-- Returns the number of pairs.
local held, self, keyPrefix = KEYS[1], ARGV[1], ARGV[2]
for i = 3, #ARGV - 1, 2 do
  local key = ARGV[i + 1]
  if ARGV[i] == '+' then
    redis.call('SADD', held, key)
    redis.call('SADD', keyPrefix .. key, self)
  else
    redis.call('SREM', held, key)
    redis.call('SREM', keyPrefix .. key, self)
  end
end
return math.floor((#ARGV - 2) / 2)
