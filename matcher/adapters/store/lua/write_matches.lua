-- Replace the live match set only if this run is not older than the one stored (fencing), and
-- append its change entries in the same step, so the log and the set can never disagree.
-- KEYS: matches hash, meta hash, change list, profile, run sequence.
-- ARGV: seq, meta JSON, expire-at (unix s), max change entries kept, number of change entries N,
-- N change JSONs, then nct/json pairs. Returns 1 written, 0 superseded, -1 profile gone.
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if tonumber(ARGV[1]) < current then return 0 end
local n_changes = tonumber(ARGV[5])
for i = 6, 5 + n_changes do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if n_changes > 0 then
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
  redis.call('EXPIREAT', KEYS[3], ARGV[3])
end
redis.call('DEL', KEYS[1])
for i = 6 + n_changes, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'run', ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[3]) end
redis.call('EXPIREAT', KEYS[2], ARGV[3])
if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('EXPIREAT', KEYS[5], ARGV[3]) end
return 1
