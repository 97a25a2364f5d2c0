/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline "nvml-probe": what NVML itself costs a static program, counted
 * apart from the runc wrapper's own work in jit-cdi mode. Built static, as
 * the wrapper is, so that its dlopen() maps and relocates the host's C
 * library and dynamic loader once more, exactly as the wrapper's does.
 *
 * Usage: nvml-probe            start and exit (the probe's own floor)
 *        nvml-probe LIBRARY    dlopen LIBRARY, nvmlInit_v2, nvmlShutdown,
 *                              dlclose: what the wrapper's NVML query pays
 *                              before and after its own questions
 * Exits 0, or 1 when the library does not load or initialise. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
        if (argc < 2)
                return 0;
        void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
                fprintf(stderr, "nvml-probe: %s\n", dlerror());
                return 1;
        }
        int (*init)(void) = (int (*)(void))dlsym(handle, "nvmlInit_v2");
        int (*shutdown)(void) = (int (*)(void))dlsym(handle, "nvmlShutdown");
        if (init == NULL || shutdown == NULL || init() != 0) {
                fprintf(stderr, "nvml-probe: %s does not initialise\n", argv[1]);
                return 1;
        }
        shutdown();
        dlclose(handle);
        return 0;
}
