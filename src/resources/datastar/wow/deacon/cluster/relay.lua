-- Keeps a push for the window, for the nodes cut off meanwhile, and publishes it with its place
-- in P:bc (:seq): each node that receives it renders it for its own keys and appends the result
-- to their logs with the push's :token. A pattern's push goes to every node; a key's, to the live
-- nodes holding the key but the sender, or, when none does, to the node that held it last within
-- the window (P:recent:<edn>), whose tab may come back.
-- KEYS: P:bc, P:nodes, P:key:<edn>, P:recent:<edn> (the last three unused for a pattern).
-- ARGV: the message (an EDN map), P:all, P:to:, sender, pushes kept, window in ms, 'key' or
--       'pattern'.
-- Returns {its place in P:bc, the number of nodes it was published to}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local message = string.sub(ARGV[1], 1, -2) .. ', :seq "' .. id .. '"}'
if ARGV[7] == 'pattern' then return {id, redis.call('PUBLISH', ARGV[2], message)} end
local function live(node)
  local lease = redis.call('ZSCORE', KEYS[2], node)
  return node ~= ARGV[4] and lease and tonumber(lease) > now
end
local sent = 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if live(node) then
    redis.call('PUBLISH', ARGV[3] .. node, message)
    sent = sent + 1
  end
end
if sent == 0 then
  local last = redis.call('GET', KEYS[4])
  if last and live(last) then
    redis.call('PUBLISH', ARGV[3] .. last, message)
    sent = 1
  end
end
return {id, sent}
