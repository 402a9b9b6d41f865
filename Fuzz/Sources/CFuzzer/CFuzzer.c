// Only the declaration in include/CFuzzer.h is needed; SwiftPM wants a source file in a C target.
#include "CFuzzer.h"
