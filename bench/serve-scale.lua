-- wrk script for bench/serve.sh at scale: each request takes a random partner id from the file
-- $IDS and puts it into the path pattern $PATTERN (a %s where the id goes). Seeded, so two builds
-- are driven over the same partners.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local pattern = os.getenv("PATTERN")
local counter = 0

setup = function(thread)
    counter = counter + 1
    thread:set("seed", counter)
end

init = function()
    math.randomseed(9 + (seed or 0))
end

request = function()
    return wrk.format("GET", string.format(pattern, ids[math.random(#ids)]))
end
