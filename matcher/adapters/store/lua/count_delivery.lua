-- Count one delivery of (task, retry attempt), only while KEYS[2] (its job or profile) exists.
-- KEYS: counter, guard. ARGV: counter TTL seconds. Returns the count, or -1 when the guard is gone.
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n
