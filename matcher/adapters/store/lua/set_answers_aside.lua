-- A task's write: store answers marked set aside over the live ones, only while the profile
-- exists and only where the field still exists (an answer withdrawn meanwhile is not brought
-- back). KEYS: answers hash, profile. ARGV: field/JSON pairs. Returns fields written, -1 gone.
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    n = n + 1
  end
end
return n
