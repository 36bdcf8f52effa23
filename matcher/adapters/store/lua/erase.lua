-- matcher/services/erase.py: one atomic erasure of everything stored about a profile.
-- KEYS[1..8]: profile, jobs index, matches, meta, run seq, changes, report marker, profile query;
-- KEYS[9]: profiles index, KEYS[10]: recheck schedule, KEYS[11]: registered searches;
-- KEYS[12..]: re-match markers, the reference entry, the board's answers (plain deletes).
-- ARGV: profile id, job key prefix, deliveries key prefix, delivery counters per job,
-- query-profiles key head, query-profiles key tail, pending-jobs index, running-jobs index.
local deleted = 0
local jobs = redis.call('SMEMBERS', KEYS[2])
for _, job_id in ipairs(jobs) do
  deleted = deleted + redis.call('DEL', ARGV[2] .. job_id)
  redis.call('ZREM', ARGV[7], job_id)
  redis.call('ZREM', ARGV[8], job_id)
  for i = 0, tonumber(ARGV[4]) - 1 do
    deleted = deleted + redis.call('DEL', ARGV[3] .. job_id .. ':' .. i)
  end
end
local query = redis.call('GET', KEYS[8])
if query then
  local members = ARGV[5] .. query .. ARGV[6]
  redis.call('SREM', members, ARGV[1])
  -- The search's terms come from board-typed diagnosis text: drop them with the last profile.
  if redis.call('SCARD', members) == 0 then redis.call('HDEL', KEYS[11], query) end
end
for i = 1, 8 do deleted = deleted + redis.call('DEL', KEYS[i]) end
redis.call('ZREM', KEYS[9], ARGV[1])
redis.call('ZREM', KEYS[10], ARGV[1])
for i = 12, #KEYS do deleted = deleted + redis.call('DEL', KEYS[i]) end
return deleted
