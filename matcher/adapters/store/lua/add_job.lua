-- A queued job for a stored profile (a re-match the board asked for), as save_submission
-- records one. KEYS: job, profile's job index, pending-jobs index, profile.
-- ARGV: job id, profile id, board id, now (ISO), now (unix s), expire-at (unix s).
-- Returns 1 queued, 0 profile gone (nothing written).
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'job_id', ARGV[1], 'profile_id', ARGV[2], 'board_id', ARGV[3],
  'status', 'queued', 'reason', '', 'created_at', ARGV[4], 'updated_at', ARGV[4])
redis.call('EXPIREAT', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIREAT', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1
