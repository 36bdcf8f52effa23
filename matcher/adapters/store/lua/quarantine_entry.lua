-- Drop one corrupt entry of a match hash, but only if it still holds the corrupt value read
-- (a run that rewrote it meanwhile wins). KEYS: matches hash. ARGV: nct id, value read.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
