-- Adds and removes a node's keys, in order. A key removed is marked recent for the window (when
-- the nodes keep a shared history), so that its log keeps what is sent to it while no node holds
-- it: the tab that was hidden comes back to it.
-- KEYS: P:held:<node>. ARGV: node, P:, window in ms (0: no shared history), then pairs of + or -
-- and a key's canonical EDN.
-- Returns the number of pairs.
local held, self, prefix, window = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV - 1, 2 do
  local key = ARGV[i + 1]
  if ARGV[i] == '+' then
    redis.call('SADD', held, key)
    redis.call('SADD', prefix .. 'key:' .. key, self)
  else
    redis.call('SREM', held, key)
    redis.call('SREM', prefix .. 'key:' .. key, self)
    if window > 0 then redis.call('SET', prefix .. 'recent:' .. key, self, 'PX', window) end
  end
end
return math.floor((#ARGV - 3) / 2)
