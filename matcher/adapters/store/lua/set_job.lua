-- Update a job record only if it exists (an erased job is never resurrected), and keep the two
-- sweep indexes in step: pending (queued, scored by when it was queued) and running (scored by
-- lease end). KEYS: job, pending index, running index.
-- ARGV: status, reason, updated_at, job id, lease end, now (unix s). Returns 1 updated, 0 gone.
if ARGV[1] ~= 'queued' then redis.call('ZREM', KEYS[2], ARGV[4]) end
if ARGV[1] ~= 'running' then redis.call('ZREM', KEYS[3], ARGV[4]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'reason', ARGV[2], 'updated_at', ARGV[3])
if ARGV[1] == 'running' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
if ARGV[1] == 'queued' then redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4]) end
return 1
