-- SET key NX EX only while the profile exists; returns 1 set, 0 already set (value in reply 2),
-- -1 profile gone. KEYS: marker, profile. ARGV: value, TTL seconds.
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, false} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
