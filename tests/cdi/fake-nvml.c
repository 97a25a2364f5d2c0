/* SPDX-License-Identifier: Apache-2.0 */
/* A fake libnvidia-ml.so.1 for tests: the NVML entry points nvct calls, with
 * NVML's ABI, answering from a text description of a host (README.md in this
 * directory) instead of a driver. The description is read at nvmlInit from
 * $FAKE_NVML_CONFIG, or else from fake-nvml.conf in the directory this
 * library was loaded from, so that a fake host made by make-host carries its
 * own. With $FAKE_NVML_LOG set, every call appends its name to that file.
 *
 * Built in variants for the loader's error paths:
 *   FAKE_NVML_MISSING_SYMBOLS  no nvmlDeviceGetMinorNumber (a required symbol)
 *   FAKE_NVML_NO_DESCRIPTION   no nvmlDeviceGetPciInfo_v3, nvmlDeviceGetName,
 *                              nvmlDeviceGetBrand, nvmlDeviceGetCudaComputeCapability
 *                              (what only describes a GPU)
 *   FAKE_NVML_NO_MIG           none of the MIG entry points (a pre-R450 driver)
 *   FAKE_NVML_V1               nvmlInit and nvmlSystemGetCudaDriverVersion
 *                              instead of their _v2 versions */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* ---- NVML's ABI ---- */
typedef int nvmlReturn_t;
typedef struct fake_dev *nvmlDevice_t;
typedef struct nvmlPciInfo_st {
        char busIdLegacy[16];
        unsigned int domain;
        unsigned int bus;
        unsigned int device;
        unsigned int pciDeviceId;
        unsigned int pciSubSystemId;
        char busId[32];
} nvmlPciInfo_t;

enum {
        NVML_SUCCESS = 0,
        NVML_ERROR_UNINITIALIZED = 1,
        NVML_ERROR_INVALID_ARGUMENT = 2,
        NVML_ERROR_NOT_SUPPORTED = 3,
        NVML_ERROR_NOT_FOUND = 6,
        NVML_ERROR_INSUFFICIENT_SIZE = 7,
        NVML_ERROR_UNKNOWN = 999,
};

EXPORT nvmlReturn_t nvmlInit(void);
EXPORT nvmlReturn_t nvmlInit_v2(void);
EXPORT nvmlReturn_t nvmlShutdown(void);
EXPORT const char *nvmlErrorString(nvmlReturn_t result);
EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length);
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version);
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version);
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count);
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length);
EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minor);
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci);
EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length);
EXPORT nvmlReturn_t nvmlDeviceGetBrand(nvmlDevice_t device, int *type);
EXPORT nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor);
EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current,
                                         unsigned int *pending);
EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count);
EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                        nvmlDevice_t *mig);
EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id);
EXPORT nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id);

/* ---- the host ---- */

#define MAX_GPUS 64
#define MAX_MIGS 256
#define MAX_OVERRIDES 32
#define STR_MAX 128

enum { MIG_NONE = -1 };

struct fake_dev {
        bool is_mig;
        unsigned int gpu; /* the GPU's index; for a MIG device its parent's */
        /* GPU */
        char uuid[STR_MAX];
        char pci[STR_MAX];
        char name[STR_MAX];
        unsigned int minor;
        int brand;
        int cc_major, cc_minor;
        int mig_mode; /* MIG_NONE: not MIG capable */
        unsigned int max_mig;
        /* MIG device */
        unsigned int index, gi, ci;
};

struct override {
        char func[64];
        int code; /* fail: the return code */
        bool noterm;
};

static struct {
        unsigned int refcount;
        char driver[STR_MAX];
        int cuda;
        int init_code;
        long count; /* -1: the number of gpu lines */
        struct fake_dev gpus[MAX_GPUS];
        unsigned int n_gpus;
        struct fake_dev migs[MAX_MIGS];
        unsigned int n_migs;
        struct override overrides[MAX_OVERRIDES];
        unsigned int n_overrides;
} host;

static void log_call(const char *func) {
        const char *path = getenv("FAKE_NVML_LOG");
        if (path == NULL || path[0] == '\0')
                return;
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        char line[96];
        int n = snprintf(line, sizeof(line), "%s\n", func);
        if (n > 0 && write(fd, line, (size_t)n) < 0) {
                /* nothing to do: the log is a test aid */
        }
        close(fd);
}

static const struct override *override_for(const char *func) {
        for (unsigned int i = 0; i < host.n_overrides; i++)
                if (strcmp(host.overrides[i].func, func) == 0)
                        return &host.overrides[i];
        return NULL;
}

/* Every entry point but init: logged, refused before init, failed on demand. */
#define ENTER()                                                                                    \
        do {                                                                                       \
                log_call(__func__);                                                                \
                if (host.refcount == 0)                                                            \
                        return NVML_ERROR_UNINITIALIZED;                                           \
                const struct override *o_ = override_for(__func__);                                \
                if (o_ != NULL && o_->code != 0)                                                   \
                        return o_->code;                                                           \
        } while (0)

static bool valid_gpu(nvmlDevice_t d) {
        return d != NULL && d >= host.gpus && d < host.gpus + host.n_gpus;
}

static bool valid_mig(nvmlDevice_t d) {
        return d != NULL && d >= host.migs && d < host.migs + host.n_migs;
}

/* Copies s as NVML does, or, under "noterm FUNC", fills the whole buffer
 * without a NUL as a broken library might. */
static nvmlReturn_t put_string(const char *func, const char *s, char *buf, unsigned int length) {
        if (buf == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        const struct override *o = override_for(func);
        size_t len = strlen(s);
        if (o != NULL && o->noterm) {
                for (size_t i = 0; i < length; i++)
                        buf[i] = i < len ? s[i] : 'x';
                return NVML_SUCCESS;
        }
        if (len + 1 > length)
                return NVML_ERROR_INSUFFICIENT_SIZE;
        memcpy(buf, s, len + 1);
        return NVML_SUCCESS;
}

/* ---- the host description ---- */

static bool parse_long(const char *s, long min, long max, long *ret) {
        if (s == NULL || s[0] == '\0')
                return false;
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 0);
        if (errno != 0 || *end != '\0' || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

static bool parse_uint(const char *s, unsigned int max, unsigned int *ret) {
        long v = 0;
        if (!parse_long(s, 0, (long)max, &v))
                return false;
        *ret = (unsigned int)v;
        return true;
}

static bool set_string(char *dst, const char *s) {
        size_t len = strlen(s);
        if (len == 0 || len >= STR_MAX)
                return false;
        memcpy(dst, s, len + 1);
        return true;
}

/* Lines make-host reads and this library ignores. */
static bool is_builder_keyword(const char *kw) {
        static const char *const kws[] = {
                "lib",
                "nolib",
                "nobin",
                "nodev",
                "uvm-major",
                "caps-major",
                "persistenced-socket",
                "fabricmanager-socket",
                "mps-dir",
                "firmware",
                "graphics",
                "nvvm70",
                "newlib",
                "dev-mode",
                "dev-group",
        };
        for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
                if (strcmp(kw, kws[i]) == 0)
                        return true;
        return false;
}

static bool parse_gpu(char *rest) {
        if (host.n_gpus >= MAX_GPUS)
                return false;
        struct fake_dev *g = &host.gpus[host.n_gpus];
        memset(g, 0, sizeof(*g));
        g->gpu = host.n_gpus;
        g->mig_mode = MIG_NONE;
        g->max_mig = 7;
        g->brand = 2;
        g->cc_major = 9;
        bool have_uuid = false, have_minor = false, have_pci = false, have_name = false;

        char *p = rest;
        while (*p != '\0') {
                p += strspn(p, " \t");
                if (*p == '\0')
                        break;
                if (strncmp(p, "name=", 5) == 0) {
                        /* The rest of the line: names hold spaces. */
                        char *v = p + 5;
                        size_t n = strlen(v);
                        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                                v[--n] = '\0';
                        if (!set_string(g->name, v))
                                return false;
                        have_name = true;
                        break;
                }
                char *tok = p;
                p += strcspn(p, " \t");
                if (*p != '\0')
                        *p++ = '\0';
                char *eq = strchr(tok, '=');
                if (eq == NULL)
                        return false;
                *eq = '\0';
                const char *key = tok, *val = eq + 1;
                long v = 0;
                if (strcmp(key, "uuid") == 0) {
                        if (!set_string(g->uuid, val))
                                return false;
                        have_uuid = true;
                } else if (strcmp(key, "minor") == 0) {
                        if (!parse_uint(val, 1u << 20, &g->minor))
                                return false;
                        have_minor = true;
                } else if (strcmp(key, "pci") == 0) {
                        if (!set_string(g->pci, val))
                                return false;
                        have_pci = true;
                } else if (strcmp(key, "brand") == 0) {
                        if (!parse_long(val, 0, 1000, &v))
                                return false;
                        g->brand = (int)v;
                } else if (strcmp(key, "cc") == 0) {
                        int ma = 0, mi = 0, used = 0;
                        if (sscanf(val, "%d.%d%n", &ma, &mi, &used) != 2 ||
                            (size_t)used != strlen(val))
                                return false;
                        g->cc_major = ma;
                        g->cc_minor = mi;
                } else if (strcmp(key, "mig") == 0) {
                        if (strcmp(val, "none") == 0)
                                g->mig_mode = MIG_NONE;
                        else if (parse_long(val, 0, 1, &v))
                                g->mig_mode = (int)v;
                        else
                                return false;
                } else if (strcmp(key, "maxmig") == 0) {
                        if (!parse_uint(val, UINT_MAX, &g->max_mig))
                                return false;
                } else {
                        return false;
                }
        }
        if (!have_uuid || !have_minor || !have_pci)
                return false;
        if (!have_name)
                set_string(g->name, "NVIDIA Graphics Device");
        host.n_gpus++;
        return true;
}

static bool parse_mig(char *rest) {
        if (host.n_migs >= MAX_MIGS)
                return false;
        struct fake_dev *m = &host.migs[host.n_migs];
        memset(m, 0, sizeof(*m));
        m->is_mig = true;
        bool have_gpu = false, have_index = false, have_gi = false, have_ci = false,
             have_uuid = false;
        for (char *save = NULL, *tok = strtok_r(rest, " \t", &save); tok != NULL;
             tok = strtok_r(NULL, " \t", &save)) {
                char *eq = strchr(tok, '=');
                if (eq == NULL)
                        return false;
                *eq = '\0';
                const char *key = tok, *val = eq + 1;
                if (strcmp(key, "gpu") == 0)
                        have_gpu = parse_uint(val, MAX_GPUS - 1, &m->gpu);
                else if (strcmp(key, "index") == 0)
                        have_index = parse_uint(val, UINT_MAX, &m->index);
                else if (strcmp(key, "gi") == 0)
                        have_gi = parse_uint(val, UINT_MAX, &m->gi);
                else if (strcmp(key, "ci") == 0)
                        have_ci = parse_uint(val, UINT_MAX, &m->ci);
                else if (strcmp(key, "uuid") == 0)
                        have_uuid = set_string(m->uuid, val);
                else
                        return false;
        }
        if (!have_gpu || !have_index || !have_gi || !have_ci || !have_uuid)
                return false;
        /* Its GPU is described before it and is in MIG mode; one device per
         * slot. */
        if (m->gpu >= host.n_gpus || host.gpus[m->gpu].mig_mode != 1 ||
            m->index >= host.gpus[m->gpu].max_mig)
                return false;
        for (unsigned int i = 0; i < host.n_migs; i++)
                if (host.migs[i].gpu == m->gpu && host.migs[i].index == m->index)
                        return false;
        host.n_migs++;
        return true;
}

static bool parse_override(char *rest, bool noterm) {
        if (host.n_overrides >= MAX_OVERRIDES)
                return false;
        struct override *o = &host.overrides[host.n_overrides];
        memset(o, 0, sizeof(*o));
        char *save = NULL;
        const char *func = strtok_r(rest, " \t", &save);
        if (func == NULL || strlen(func) >= sizeof(o->func))
                return false;
        strcpy(o->func, func);
        if (noterm) {
                o->noterm = true;
        } else {
                long v = 0;
                if (!parse_long(strtok_r(NULL, " \t", &save), 1, 100000, &v))
                        return false;
                o->code = (int)v;
        }
        if (strtok_r(NULL, " \t", &save) != NULL)
                return false;
        host.n_overrides++;
        return true;
}

static bool parse_line(char *line) {
        char *hash = strchr(line, '#');
        if (hash != NULL)
                *hash = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line + strspn(line, " \t");
        if (*p == '\0')
                return true;
        char *kw = p;
        p += strcspn(p, " \t");
        if (*p != '\0')
                *p++ = '\0';
        p += strspn(p, " \t");
        /* A single value, with trailing blanks cut. */
        char *val = p;
        size_t n = strlen(val);
        long v = 0;

        if (strcmp(kw, "gpu") == 0)
                return parse_gpu(p);
        if (strcmp(kw, "mig") == 0)
                return parse_mig(p);
        if (strcmp(kw, "fail") == 0)
                return parse_override(p, false);
        if (strcmp(kw, "noterm") == 0)
                return parse_override(p, true);
        if (is_builder_keyword(kw))
                return true;
        while (n > 0 && (val[n - 1] == ' ' || val[n - 1] == '\t'))
                val[--n] = '\0';
        if (strcmp(kw, "driver") == 0)
                return strcspn(val, " \t") == n && set_string(host.driver, val);
        if (strcmp(kw, "cuda") == 0) {
                if (!parse_long(val, 0, INT_MAX, &v))
                        return false;
                host.cuda = (int)v;
                return true;
        }
        if (strcmp(kw, "init") == 0) {
                if (!parse_long(val, 0, 100000, &v))
                        return false;
                host.init_code = (int)v;
                return true;
        }
        if (strcmp(kw, "count") == 0)
                return parse_long(val, 0, UINT_MAX, &host.count);
        return false;
}

static bool config_path(char *buf, size_t size) {
        const char *env = getenv("FAKE_NVML_CONFIG");
        if (env != NULL && env[0] != '\0')
                return (size_t)snprintf(buf, size, "%s", env) < size;
        Dl_info info;
        if (dladdr((void *)nvmlShutdown, &info) == 0 || info.dli_fname == NULL)
                return false;
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash == NULL)
                return (size_t)snprintf(buf, size, "fake-nvml.conf") < size;
        return (size_t)snprintf(buf, size, "%.*s/fake-nvml.conf", (int)(slash - info.dli_fname),
                                info.dli_fname) < size;
}

static bool load_host(void) {
        memset(&host, 0, sizeof(host));
        host.count = -1;
        char path[PATH_MAX];
        if (!config_path(path, sizeof(path)))
                return false;
        FILE *f = fopen(path, "re");
        if (f == NULL)
                return false;
        char *line = NULL;
        size_t cap = 0;
        bool ok = true;
        while (ok && getline(&line, &cap, f) >= 0)
                ok = parse_line(line);
        free(line);
        fclose(f);
        return ok && host.driver[0] != '\0';
}

/* ---- the entry points ---- */

static nvmlReturn_t do_init(const char *func) {
        log_call(func);
        if (host.refcount > 0) {
                host.refcount++;
                return NVML_SUCCESS;
        }
        if (!load_host()) {
                memset(&host, 0, sizeof(host));
                return NVML_ERROR_UNKNOWN;
        }
        if (host.init_code != 0)
                return host.init_code;
        host.refcount = 1;
        return NVML_SUCCESS;
}

#ifndef FAKE_NVML_V1
nvmlReturn_t nvmlInit_v2(void) {
        return do_init(__func__);
}
#else
nvmlReturn_t nvmlInit(void) {
        return do_init(__func__);
}
#endif

nvmlReturn_t nvmlShutdown(void) {
        ENTER();
        host.refcount--;
        return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
        static const struct {
                int code;
                const char *s;
        } strings[] = {
                { 0, "Success" },
                { 1, "Uninitialized" },
                { 2, "Invalid Argument" },
                { 3, "Not Supported" },
                { 4, "Insufficient Permissions" },
                { 5, "Already Initialized" },
                { 6, "Not Found" },
                { 7, "Insufficient Size" },
                { 8, "Insufficient External Power" },
                { 9, "Driver Not Loaded" },
                { 10, "Timeout" },
                { 11, "Interrupt received by GPU" },
                { 12, "NVML Shared Library Not Found" },
                { 13, "Function Not Found" },
                { 14, "Corrupted infoROM" },
                { 15, "GPU is lost" },
                { 16, "GPU requires restart" },
                { 17, "Operating System Call Failed" },
                { 18, "RM has detected an NVML/RM version mismatch." },
                { 19, "In use by another client" },
                { 20, "Insufficient Memory" },
                { 21, "No data" },
                { 999, "Unknown Error" },
        };
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                if (strings[i].code == result)
                        return strings[i].s;
        return "Unknown Error";
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
        ENTER();
        return put_string(__func__, host.driver, version, length);
}

static nvmlReturn_t cuda_version(int *version) {
        if (version == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *version = host.cuda;
        return NVML_SUCCESS;
}

#ifndef FAKE_NVML_V1
nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) {
        ENTER();
        return cuda_version(version);
}
#else
nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *version) {
        ENTER();
        return cuda_version(version);
}
#endif

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
        ENTER();
        if (count == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *count = host.count >= 0 ? (unsigned int)host.count : host.n_gpus;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
        ENTER();
        if (device == NULL || index >= host.n_gpus)
                return NVML_ERROR_INVALID_ARGUMENT;
        *device = &host.gpus[index];
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
        ENTER();
        if (!valid_gpu(device) && !valid_mig(device))
                return NVML_ERROR_INVALID_ARGUMENT;
        return put_string(__func__, device->uuid, uuid, length);
}

#ifndef FAKE_NVML_MISSING_SYMBOLS
nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minor) {
        ENTER();
        if (valid_mig(device))
                return NVML_ERROR_NOT_SUPPORTED;
        if (!valid_gpu(device) || minor == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *minor = device->minor;
        return NVML_SUCCESS;
}
#endif

#ifndef FAKE_NVML_NO_DESCRIPTION
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
        ENTER();
        if (!valid_gpu(device) || pci == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        memset(pci, 0, sizeof(*pci));
        const struct override *o = override_for(__func__);
        if (o != NULL && o->noterm) {
                memset(pci->busId, 'x', sizeof(pci->busId));
                return NVML_SUCCESS;
        }
        if (strlen(device->pci) >= sizeof(pci->busId))
                return NVML_ERROR_INSUFFICIENT_SIZE;
        strcpy(pci->busId, device->pci);
        unsigned int dom = 0, bus = 0, dev = 0, fn = 0;
        if (sscanf(device->pci, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4) {
                pci->domain = dom;
                pci->bus = bus;
                pci->device = dev;
                snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04x:%02x:%02x.%x",
                         dom & 0xffff, bus & 0xff, dev & 0xff, fn & 0xf);
        }
        pci->pciDeviceId = 0x233010de;
        pci->pciSubSystemId = 0x16c110de;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
        ENTER();
        if (!valid_gpu(device))
                return NVML_ERROR_INVALID_ARGUMENT;
        return put_string(__func__, device->name, name, length);
}

nvmlReturn_t nvmlDeviceGetBrand(nvmlDevice_t device, int *type) {
        ENTER();
        if (!valid_gpu(device) || type == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *type = device->brand;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor) {
        ENTER();
        if (!valid_gpu(device) || major == NULL || minor == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *major = device->cc_major;
        *minor = device->cc_minor;
        return NVML_SUCCESS;
}
#endif

#ifndef FAKE_NVML_NO_MIG
nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current,
                                  unsigned int *pending) {
        ENTER();
        if (!valid_gpu(device) || current == NULL || pending == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        if (device->mig_mode == MIG_NONE)
                return NVML_ERROR_NOT_SUPPORTED;
        *current = *pending = (unsigned int)device->mig_mode;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
        ENTER();
        if (!valid_gpu(device) || count == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        if (device->mig_mode == MIG_NONE)
                return NVML_ERROR_NOT_SUPPORTED;
        *count = device->max_mig;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                 nvmlDevice_t *mig) {
        ENTER();
        if (!valid_gpu(device) || mig == NULL || device->mig_mode != 1 || index >= device->max_mig)
                return NVML_ERROR_INVALID_ARGUMENT;
        for (unsigned int i = 0; i < host.n_migs; i++) {
                if (host.migs[i].gpu == device->gpu && host.migs[i].index == index) {
                        *mig = &host.migs[i];
                        return NVML_SUCCESS;
                }
        }
        return NVML_ERROR_NOT_FOUND;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
        ENTER();
        if (!valid_mig(device) || id == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *id = device->gi;
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
        ENTER();
        if (!valid_mig(device) || id == NULL)
                return NVML_ERROR_INVALID_ARGUMENT;
        *id = device->ci;
        return NVML_SUCCESS;
}
#endif
