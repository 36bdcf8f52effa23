-- Schedule (ARGV[2] = unix time) or drop (ARGV[2] = '') a profile's time-driven re-check, only
-- while the profile exists: an erasure racing the run's last step leaves no member naming it.
-- KEYS: recheck schedule, profile. ARGV: profile id, when. Returns 1 done, 0 profile gone.
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[2] == '' then redis.call('ZREM', KEYS[1], ARGV[1])
else redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return 1
