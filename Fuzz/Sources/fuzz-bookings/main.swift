import FuzzSupport

Fuzz.run(fuzzBookings)
