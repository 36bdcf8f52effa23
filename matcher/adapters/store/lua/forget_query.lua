-- Store.register_profile_query (lifecycle.py): the search's phrases come from board-typed diagnosis text, so forget
-- them with its last profile. KEYS: query-profiles set, registered searches. ARGV: query key.
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
