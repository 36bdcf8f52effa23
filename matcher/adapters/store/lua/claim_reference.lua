-- Claim a board's reference for a profile unless another profile of that board holds it.
-- KEYS[1]: reference key. ARGV: profile id, claim TTL (s). The claim is short-lived until
-- save_submission extends it to the profile's retention in the same transaction as the profile,
-- so a submission that dies in between blocks its reference for seconds, not for months.
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
if not current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return false
