-- reserve the slot under the lock, sleep outside it
--           now = self._clock()
--           slot = max(now, self._next)
--           self._next = slot + self._interval
--       if slot > now:
--           self._sleep(slot - now)
-- 
-- 
-- KEYS[1] = pace key, ARGV[1] = interval in microseconds. Returns the wait in microseconds.
-- Microseconds since the epoch (~1.8e15) are exact in Lua's doubles (< 2^53). Redis >= 5 replicates
-- script effects, so reading TIME before a write is allowed. The key expires shortly after the last
-- reserved slot, so an idle fleet leaves nothing behind.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local stored = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local slot = math.max(now, stored)
local nxt = slot + interval
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1000)
return slot - now
