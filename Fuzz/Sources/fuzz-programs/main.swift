import FuzzSupport

Fuzz.run(fuzzPrograms)
