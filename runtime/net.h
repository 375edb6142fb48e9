/* Compatibility for runtime/network*.c (another branch's files): the engine's net.h. */
#include "engine/net.h"
