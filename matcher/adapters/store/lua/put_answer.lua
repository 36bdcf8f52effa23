-- Board answers (board_loop.py). An answer and the job of the re-match it queues are
-- written by the API, not a task, but erasure must win against them too: each is written only
-- while the profile exists, in the same atomic step, so a DELETE racing an answer leaves no
-- answers hash (it holds the board's note) and no job record behind.
-- KEYS: answers hash, profile. ARGV: field, answer JSON, expire-at (unix s). 1 stored, 0 gone.
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return 1
