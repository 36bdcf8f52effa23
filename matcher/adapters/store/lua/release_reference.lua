-- Delete a reference key only while it still points at this profile. KEYS[1]; ARGV[1]: id.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
