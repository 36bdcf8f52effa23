"""The Lua scripts Store registers once (kept apart so the gateway stays readable).

Every script that writes something *about a profile* first checks, in the same atomic step,
that the profile (or its job) still exists: an erasure racing in-flight work then always wins,
because Redis runs a script without interleaving the erasure's own script.
"""

from __future__ import annotations

# Replace the live match set only if this run is not older than the one stored (fencing), and
# append its change entries in the same step, so the log and the set can never disagree.
# KEYS: matches hash, meta hash, change list, profile, run sequence.
# ARGV: seq, meta JSON, expire-at (unix s), max change entries kept, number of change entries N,
# N change JSONs, then nct/json pairs. Returns 1 written, 0 superseded, -1 profile gone.
WRITE_MATCHES = """
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
"""

# The next run sequence number of a profile, or -1 if the profile is gone (nothing created).
# The counter expires with the profile. KEYS: profile, run sequence.
NEXT_RUN_SEQ = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local seq = redis.call('INCR', KEYS[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return seq
"""

# Update a job record only if it exists (an erased job is never resurrected), and keep the two
# sweep indexes in step: pending (queued, scored by when it was queued) and running (scored by
# lease end). KEYS: job, pending index, running index.
# ARGV: status, reason, updated_at, job id, lease end, now (unix s). Returns 1 updated, 0 gone.
SET_JOB = """
if ARGV[1] ~= 'queued' then redis.call('ZREM', KEYS[2], ARGV[4]) end
if ARGV[1] ~= 'running' then redis.call('ZREM', KEYS[3], ARGV[4]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'reason', ARGV[2], 'updated_at', ARGV[3])
if ARGV[1] == 'running' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
if ARGV[1] == 'queued' then redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4]) end
return 1
"""

# Count one delivery of (task, retry attempt), only while KEYS[2] (its job or profile) exists.
# KEYS: counter, guard. ARGV: counter TTL seconds. Returns the count, or -1 when the guard is gone.
COUNT_DELIVERY = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n
"""

# SET key NX EX only while the profile exists; returns 1 set, 0 already set (value in reply 2),
# -1 profile gone. KEYS: marker, profile. ARGV: value, TTL seconds.
SET_MARKER = """
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, false} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
"""

# Drop one corrupt entry of a match hash, but only if it still holds the corrupt value read
# (a run that rewrote it meanwhile wins). KEYS: matches hash. ARGV: nct id, value read.
QUARANTINE_ENTRY = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""

# Claim a board's reference for a profile unless another profile of that board holds it.
# KEYS[1]: reference key. ARGV: profile id, claim TTL (s). The claim is short-lived until
# save_submission extends it to the profile's retention in the same transaction as the profile,
# so a submission that dies in between blocks its reference for seconds, not for months.
CLAIM_REFERENCE = """
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
if not current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return false
"""
CLAIM_TTL_S = 120
# Delete a reference key only while it still points at this profile. KEYS[1]; ARGV[1]: id.
RELEASE_REFERENCE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Schedule (ARGV[2] = unix time) or drop (ARGV[2] = '') a profile's time-driven re-check, only
# while the profile exists: an erasure racing the run's last step leaves no member naming it.
# KEYS: recheck schedule, profile. ARGV: profile id, when. Returns 1 done, 0 profile gone.
SET_RECHECK = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[2] == '' then redis.call('ZREM', KEYS[1], ARGV[1])
else redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return 1
"""

# Board answers (matcher/store_loop.py). An answer and the job of the re-match it queues are
# written by the API, not a task, but erasure must win against them too: each is written only
# while the profile exists, in the same atomic step, so a DELETE racing an answer leaves no
# answers hash (it holds the board's note) and no job record behind.
# KEYS: answers hash, profile. ARGV: field, answer JSON, expire-at (unix s). 1 stored, 0 gone.
PUT_ANSWER = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return 1
"""

# A queued job for a stored profile (a re-match the board asked for), as save_submission
# records one. KEYS: job, profile's job index, pending-jobs index, profile.
# ARGV: job id, profile id, board id, now (ISO), now (unix s), expire-at (unix s).
# Returns 1 queued, 0 profile gone (nothing written).
ADD_JOB = """
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'job_id', ARGV[1], 'profile_id', ARGV[2], 'board_id', ARGV[3],
  'status', 'queued', 'reason', '', 'created_at', ARGV[4], 'updated_at', ARGV[4])
redis.call('EXPIREAT', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIREAT', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1
"""

# A task's write: store answers marked set aside over the live ones, only while the profile
# exists and only where the field still exists (an answer withdrawn meanwhile is not brought
# back). KEYS: answers hash, profile. ARGV: field/JSON pairs. Returns fields written, -1 gone.
SET_ANSWERS_ASIDE = """
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    n = n + 1
  end
end
return n
"""

# matcher/erase.py: one atomic erasure of everything stored about a profile.
# KEYS[1..8]: profile, jobs index, matches, meta, run seq, changes, report marker, profile query;
# KEYS[9]: profiles index, KEYS[10]: recheck schedule, KEYS[11]: registered searches;
# KEYS[12..]: re-match markers, the reference entry, the board's answers (plain deletes).
# ARGV: profile id, job key prefix, deliveries key prefix, delivery counters per job,
#       query-profiles key head, query-profiles key tail, pending-jobs index, running-jobs index.
ERASE = """
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
"""

# matcher/schedule.py: the search's phrases come from board-typed diagnosis text, so forget
# them with its last profile. KEYS: query-profiles set, registered searches. ARGV: query key.
FORGET_QUERY = """
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
"""
