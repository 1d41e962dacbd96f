// libFuzzer's driver, linked in by -sanitize=fuzzer (nothing else links it): the fuzz build's
// entry point hands it the harness.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
