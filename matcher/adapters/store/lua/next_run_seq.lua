-- The next run sequence number of a profile, or -1 if the profile is gone (nothing created).
-- The counter expires with the profile. KEYS: profile, run sequence.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local seq = redis.call('INCR', KEYS[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return seq
