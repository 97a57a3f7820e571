-- Keeps a broadcast for the window, for the nodes cut off meanwhile, and publishes it with its id
-- in P:bc as its token: each node renders it for its own keys and appends the result to their
-- logs with that token.
-- KEYS: P:bc. ARGV: the message (an EDN map), P:all, broadcasts kept, window in ms.
-- Returns {the token, the number of subscribers it was published to}.
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local message = string.sub(ARGV[1], 1, -2) .. ', :token "' .. id .. '"}'
return {id, redis.call('PUBLISH', ARGV[2], message)}
