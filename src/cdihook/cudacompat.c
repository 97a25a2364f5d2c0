/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cudacompat.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

#include "inroot.h"
#include "ldsoconf.h"

/* ---- the ELF note ---- */

#define NOTE_SECTION ".note.cuda.fwd_compatibility"
#define NOTE_OWNER "NVIDIA Corporation"
/* Bounds on what is read of the image's library: the section names and the
 * note are a few hundred bytes in NVIDIA's libraries. */
#define MAX_SHSTRTAB (1u << 20)
#define MAX_NOTE (64u << 10)
/* A section header is 40 or 64 bytes; a larger entry size is not a real
 * library's. */
#define MAX_SHENTSIZE 256

typedef struct elf_file {
        int fd;
        bool is64, big_endian;
        uint64_t file_size;
} elf_file;

static uint64_t get_uint(const elf_file *e, const unsigned char *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)p[e->big_endian ? n - 1 - i : i] << (8 * i);
        return v;
}

/* Reads exactly `len` bytes at `off`, which must lie within the file. */
static bool read_at(const elf_file *e, uint64_t off, size_t len, void *buf) {
        if (off > e->file_size || len > e->file_size - off)
                return false;
        size_t done = 0;
        while (done < len) {
                ssize_t n = pread(e->fd, (char *)buf + done, len - done, (off_t)(off + done));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return false;
                done += (size_t)n;
        }
        return true;
}

typedef struct section {
        uint32_t name, type;
        uint64_t offset, size, align;
} section;

static void parse_section(const elf_file *e, const unsigned char *p, section *s) {
        s->name = (uint32_t)get_uint(e, p, 4);
        s->type = (uint32_t)get_uint(e, p + 4, 4);
        if (e->is64) {
                s->offset = get_uint(e, p + 24, 8);
                s->size = get_uint(e, p + 32, 8);
                s->align = get_uint(e, p + 48, 8);
        } else {
                s->offset = get_uint(e, p + 16, 4);
                s->size = get_uint(e, p + 20, 4);
                s->align = get_uint(e, p + 32, 4);
        }
}

/* Finds the note section: 1 and *ret, or 0. */
static int find_note_section(const elf_file *e, section *ret) {
        unsigned char eh[64];
        size_t eh_size = e->is64 ? 64 : 52;
        if (!read_at(e, 0, eh_size, eh))
                return 0;
        uint64_t shoff = e->is64 ? get_uint(e, eh + 40, 8) : get_uint(e, eh + 32, 4);
        size_t at = e->is64 ? 58 : 46;
        size_t shentsize = (size_t)get_uint(e, eh + at, 2);
        size_t shnum = (size_t)get_uint(e, eh + at + 2, 2);
        size_t shstrndx = (size_t)get_uint(e, eh + at + 4, 2);
        size_t min_ent = e->is64 ? 64 : 40;
        if (shoff == 0 || shnum == 0 || shentsize < min_ent || shentsize > MAX_SHENTSIZE ||
            shstrndx >= shnum)
                return 0;
        /* The headers must lie in the file before anything is allocated
         * for them: 16-bit fields still claim up to 16 MiB. */
        size_t table = shnum * shentsize;
        if (shoff > e->file_size || table > e->file_size - shoff)
                return 0;
        _cleanup_free_ unsigned char *shdrs = malloc(table);
        if (shdrs == NULL || !read_at(e, shoff, table, shdrs))
                return 0;
        section strtab;
        parse_section(e, shdrs + shstrndx * shentsize, &strtab);
        if (strtab.size == 0 || strtab.size > MAX_SHSTRTAB)
                return 0;
        _cleanup_free_ char *names = malloc(strtab.size + 1);
        if (names == NULL || !read_at(e, strtab.offset, strtab.size, names))
                return 0;
        names[strtab.size] = '\0';
        for (size_t i = 0; i < shnum; i++) {
                section s;
                parse_section(e, shdrs + i * shentsize, &s);
                if (s.type != SHT_NOTE || s.name >= strtab.size)
                        continue;
                if (strcmp(names + s.name, NOTE_SECTION) != 0)
                        continue;
                *ret = s;
                return 1;
        }
        return 0;
}

/* bytes.Trim(b, "\x00"): the view without leading and trailing NULs. */
static void trim_nul(const unsigned char **p, size_t *len) {
        while (*len > 0 && (*p)[0] == '\0')
                (*p)++, (*len)--;
        while (*len > 0 && (*p)[*len - 1] == '\0')
                (*len)--;
}

/* Go's int from a yajl number: an integer that fits, else a decode error. */
static bool json_int(const yajl_val v, int *ret) {
        if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < INT_MIN || YAJL_GET_INTEGER(v) > INT_MAX)
                return false;
        *ret = (int)YAJL_GET_INTEGER(v);
        return true;
}

/* json.Unmarshal into NVIDIA's compatElfHeader: keys matched as Go matches
 * them (case-insensitively), a later duplicate wins, unknown keys ignored,
 * a known key of the wrong type fails the whole decode. */
static bool decode_note_json(const char *json, nvct_cuda_compat_note *ret) {
        char errbuf[128];
        yajl_val root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
        if (root == NULL)
                return false;
        bool ok = YAJL_IS_OBJECT(root);
        nvct_cuda_compat_note note = { .n_drivers = 0 };
        for (size_t i = 0; ok && i < root->u.object.len; i++) {
                const char *key = root->u.object.keys[i];
                yajl_val v = root->u.object.values[i];
                int ignored;
                if (nvct_go_key_matches(key, strlen(key), "Format")) {
                        ok = YAJL_IS_NULL(v) || json_int(v, &ignored);
                } else if (nvct_go_key_matches(key, strlen(key), "CUDA Version")) {
                        if (YAJL_IS_NULL(v))
                                continue;
                        const char *str = YAJL_IS_STRING(v) ? v->u.string : NULL;
                        ok = str != NULL && strlen(str) < sizeof(note.cuda_version);
                        if (ok)
                                strcpy(note.cuda_version, str);
                } else if (nvct_go_key_matches(key, strlen(key), "Driver") ||
                           nvct_go_key_matches(key, strlen(key), "Device")) {
                        bool driver = nvct_go_key_matches(key, strlen(key), "Driver");
                        if (YAJL_IS_NULL(v)) {
                                if (driver)
                                        note.n_drivers = 0;
                                continue;
                        }
                        ok = YAJL_IS_ARRAY(v) && v->u.array.len <= ARRAY_SIZE(note.drivers);
                        for (size_t j = 0; ok && j < v->u.array.len; j++) {
                                int d;
                                ok = json_int(v->u.array.values[j], &d);
                                if (ok && driver)
                                        note.drivers[j] = d;
                        }
                        if (ok && driver)
                                note.n_drivers = v->u.array.len;
                }
        }
        yajl_tree_free(root);
        if (ok)
                *ret = note;
        return ok;
}

int nvct_cuda_compat_read_note(int fd, nvct_cuda_compat_note *ret) {
        struct stat st;
        unsigned char ident[EI_NIDENT];
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        elf_file e = { .fd = fd, .file_size = (uint64_t)st.st_size };
        if (!read_at(&e, 0, sizeof(ident), ident) || memcmp(ident, ELFMAG, SELFMAG) != 0)
                return 0;
        if ((ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64) ||
            (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB))
                return 0;
        e.is64 = ident[EI_CLASS] == ELFCLASS64;
        e.big_endian = ident[EI_DATA] == ELFDATA2MSB;

        section s;
        if (find_note_section(&e, &s) == 0 || s.size < 12 || s.size > MAX_NOTE)
                return 0;
        _cleanup_free_ unsigned char *data = malloc(s.size + 1);
        if (data == NULL || !read_at(&e, s.offset, s.size, data))
                return 0;
        uint64_t namesz = get_uint(&e, data, 4), descsz = get_uint(&e, data + 4, 4);
        if (namesz == 0 || descsz == 0)
                return 0;
        uint64_t align = s.align == 0 ? 1 : s.align;
        uint64_t name_span = (namesz + align - 1) / align * align;
        if (name_span > s.size - 12 || descsz > s.size - 12 - name_span)
                return 0;
        const unsigned char *name = data + 12;
        size_t name_len = (size_t)name_span;
        trim_nul(&name, &name_len);
        if (name_len != strlen(NOTE_OWNER) || memcmp(name, NOTE_OWNER, name_len) != 0)
                return 0;
        const unsigned char *desc = data + 12 + name_span;
        size_t desc_len = (size_t)descsz;
        trim_nul(&desc, &desc_len);
        _cleanup_free_ char *json = nvct_memdup0(desc, desc_len);
        if (json == NULL || strlen(json) != desc_len)
                return 0;
        return decode_note_json(json, ret) ? 1 : 0;
}

/* "v" + strings.TrimPrefix(v, "v"), for semver.Compare. */
static char *with_v(const char *v) {
        char *s = NULL;
        if (asprintf(&s, "v%s", v[0] == 'v' ? v + 1 : v) < 0)
                return NULL;
        return s;
}

bool nvct_cuda_compat_note_use(const nvct_cuda_compat_note *note, int host_driver_major,
                               const char *host_cuda_version) {
        if (host_driver_major != 0 && note->n_drivers > 0) {
                for (size_t i = 0; i < note->n_drivers; i++)
                        if (note->drivers[i] == host_driver_major)
                                return true;
                return false;
        }
        if (note->cuda_version[0] == '\0' || host_cuda_version == NULL ||
            host_cuda_version[0] == '\0')
                return false;
        _cleanup_free_ char *c = with_v(note->cuda_version);
        _cleanup_free_ char *h = with_v(host_cuda_version);
        if (c == NULL || h == NULL)
                return false;
        return nvct_go_semver_compare(c, strlen(c), h, strlen(h)) > 0;
}

int nvct_cuda_compat_major(const char *version, int *ret_major, nvct_error **err) {
        if (version == NULL || version[0] == '\0') {
                *ret_major = 0;
                return 0;
        }
        size_t len = strcspn(version, ".");
        const char *p = version;
        size_t i = 0;
        bool negative = false;
        if (len > 0 && (p[0] == '+' || p[0] == '-')) {
                negative = p[0] == '-';
                i = 1;
        }
        long long value = 0;
        bool ok = i < len;
        for (; ok && i < len; i++) {
                ok = p[i] >= '0' && p[i] <= '9';
                if (ok)
                        value = value * 10 + (p[i] - '0');
                ok = ok && value <= INT_MAX;
        }
        if (!ok) {
                _cleanup_free_ char *qv = nvct_quote(version, strlen(version));
                return nvct_error_make(err, 0, "failed to extract the major version from %s",
                                       nvct_quoted(qv));
        }
        *ret_major = negative ? (int)-value : (int)value;
        return 0;
}

/* ---- the check ---- */

#define LIB_PREFIX "libcuda.so."

typedef struct lib_match {
        char *name; /* the first match */
        size_t count;
} lib_match;

/* filepath.Match("libcuda.so.*.*", name), regular files only (a symlink
 * is not the library: NVIDIA's globFiles takes DT_REG entries). */
static int match_lib(int dir_fd, const char *name, unsigned char d_type, void *userdata,
                     nvct_error **err) {
        lib_match *m = userdata;
        if (strncmp(name, LIB_PREFIX, strlen(LIB_PREFIX)) != 0 ||
            strchr(name + strlen(LIB_PREFIX), '.') == NULL)
                return 0;
        if (d_type == DT_UNKNOWN) {
                struct stat st;
                if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        return 0;
        } else if (d_type != DT_REG) {
                return 0;
        }
        if (m->count++ == 0 && (m->name = strdup(name)) == NULL)
                return nvct_error_make(err, ENOMEM, "enable-cuda-compat");
        return 0;
}

/* The library's note, read from the directory fd: 1, 0 (none), never an
 * error (NVIDIA's hook ignores its errors and falls back on the name). */
static int lib_note(int dir_fd, const char *name, nvct_cuda_compat_note *note) {
        /* Security: the one name in the directory the lookup resolved,
         * never followed, never blocking (O_NONBLOCK: a FIFO swapped in). */
        _cleanup_close_ int fd =
                openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        return nvct_cuda_compat_read_note(fd, note);
}

int nvct_cuda_compat_check(int root_fd, const char *compat_root, const char *host_driver_version,
                           const char *host_cuda_version, nvct_warn_fn debug, void *userdata,
                           bool *ret_use, nvct_error **err) {
        _cleanup_free_ char *qr = nvct_quote_path(compat_root);
        *ret_use = false;
        if ((host_driver_version == NULL || host_driver_version[0] == '\0') &&
            (host_cuda_version == NULL || host_cuda_version[0] == '\0')) {
                nvct_warnf(debug, userdata, "neither a host driver nor a host CUDA version given");
                return 0;
        }
        /* Security: the folder resolved inside the root. A folder that
         * cannot be reached is no folder, as for NVIDIA's hook. */
        _cleanup_close_ int dir_fd = -1;
        _cleanup_error_ nvct_error *lookup_err = NULL;
        if (nvct_rootfs_open(root_fd, compat_root, O_PATH, &dir_fd, &lookup_err) < 0) {
                nvct_warnf(debug, userdata, "no CUDA compat folder: %s", lookup_err->msg);
                return 0;
        }
        lib_match m = { NULL, 0 };
        _cleanup_error_ nvct_error *list_err = NULL;
        int r = nvct_cdihook_list_dir(dir_fd, compat_root, match_lib, &m, &list_err);
        _cleanup_free_ char *lib = m.name;
        if (r < 0) {
                if (list_err->status == ENOMEM) {
                        *err = TAKE_PTR(list_err);
                        return -1;
                }
                nvct_warnf(debug, userdata, "no CUDA compat library: %s", list_err->msg);
                return 0;
        }
        if (m.count != 1) {
                nvct_warnf(debug, userdata, "%zu CUDA compat libraries in %s: expected one",
                           m.count, nvct_quoted(qr));
                return 0;
        }

        int driver_major;
        if (nvct_cuda_compat_major(host_driver_version, &driver_major, err) < 0)
                return nvct_error_prefix(err, "--host-driver-version");
        nvct_cuda_compat_note note;
        if (lib_note(dir_fd, lib, &note) == 1) {
                *ret_use = nvct_cuda_compat_note_use(&note, driver_major, host_cuda_version);
                nvct_warnf(debug, userdata, "%s: ELF note (CUDA %s, %zu driver branches): %s", lib,
                           note.cuda_version, note.n_drivers, *ret_use ? "newer" : "not newer");
                return 0;
        }
        if (host_driver_version == NULL || host_driver_version[0] == '\0')
                return 0;
        int compat_major;
        if (nvct_cuda_compat_major(lib + strlen(LIB_PREFIX), &compat_major, err) < 0)
                return nvct_error_prefix(err, "the CUDA compat library in %s", nvct_quoted(qr));
        *ret_use = driver_major < compat_major;
        nvct_warnf(debug, userdata, "%s: driver branch %d, the host's %d: %s", lib, compat_major,
                   driver_major, *ret_use ? "newer" : "not newer");
        return 0;
}

/* ---- the ld.so.conf.d file ---- */

int nvct_cuda_compat_write_conf(int root_fd, const char *folder, char **ret_name,
                                nvct_error **err) {
        const char *const folders[] = { folder };
        return nvct_ldsoconf_write(root_fd, NVCT_CUDA_COMPAT_CONF_PREFIX, folders, 1, true,
                                   ret_name, err);
}
