/* Docker's default seccomp profile, the JSON file beside this one, as a NUL-terminated
 * string: one parser for it and for users' profiles (the Makefile makes this object
 * depend on the JSON file). */
#include "seccomp_filter.h"

__asm__(".section .rodata\n"
	".global rt_seccomp_default_json\n"
	".type rt_seccomp_default_json, @object\n"
	".balign 16\n"
	"rt_seccomp_default_json:\n"
	".incbin \"runtime/engine/seccomp_default.json\"\n"
	".byte 0\n"
	".size rt_seccomp_default_json, . - rt_seccomp_default_json\n"
	".previous\n");
