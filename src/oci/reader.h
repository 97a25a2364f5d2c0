/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/oci: the streaming core the state and config.json readers
 * share. It drives yajl (through formats/jsonfeed.h) with a stack of frames;
 * each value lands in a *slot* (`pid`, `process.env[]`, ...), and a reader
 * describes its document as a table of slots: what each does with a value,
 * which fields of an object it reads (the rest are skipped unread, whatever
 * they hold, as encoding/json ignores unknown fields), and what it does
 * when an array or object ends. Keys match field names case-insensitively,
 * a later duplicate key wins, and only the first JSON value is read. */
#ifndef NVCT_OCI_READER_H
#define NVCT_OCI_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "formats/jsonfeed.h"

/* The JSON type of a value, for type checks and messages. */
typedef enum json_kind {
        KIND_NULL,
        KIND_BOOL,
        KIND_NUMBER,
        KIND_STRING,
        KIND_OBJECT,
        KIND_ARRAY,
} json_kind;

typedef struct reader reader;

/* Decodes one value into `slot`. s/len: the text of a string (decoded by
 * yajl, not yet by Go's UTF-8 rules) or a number; NULL otherwise. Returns
 * 1 to go on, 0 to stop (after reader_fail). An object or array is entered
 * with reader_push. */
typedef int (*slot_value_fn)(reader *r, unsigned slot, json_kind k, const char *s, size_t len);

typedef struct slot_key {
        const char *name; /* NULL ends a list */
        unsigned slot;
} slot_key;

typedef struct slot_def {
        const char *path; /* the field, for messages: "process.env[]" */
        slot_value_fn on_value;
        /* The fields read of an object this slot holds; others are skipped. */
        const slot_key *keys;
        /* Called when the array or object this slot holds ends. */
        void (*on_end)(reader *r, unsigned slot);
} slot_def;

/* Slot 0 of every table: a value nobody reads, skipped whatever it holds. */
#define SLOT_SKIP 0u

/* Where a value is: the object or array it is in, and the slot its next
 * value fills. */
typedef struct reader_frame {
        unsigned container;
        unsigned child;
} reader_frame;

struct reader {
        nvct_error **err;
        const char *name; /* the input, quoted where untrusted, for messages */
        const slot_def *slots;
        unsigned top; /* the slot of the document itself */
        nvct_json_feed *feed;
        reader_frame *frames;
        size_t depth, cap_frames;
        bool done; /* the first top-level value is complete */
};

/* A reader over `slots` (a table whose entry SLOT_SKIP is reader_skip_def). */
void reader_init(reader *r, const slot_def *slots, unsigned top, const char *name,
                 nvct_error **err);
void reader_clear(reader *r);

/* Decodes from memory, fed in the chunks a read would give, so that a file
 * and the same bytes in memory decode through the same path. */
int reader_parse_buffer(reader *r, const char *data, size_t len);
/* Reads fd until the first value is complete (EOF is not waited for),
 * at most max_size bytes and timeout_ms milliseconds (negative: none). */
int reader_parse_fd(reader *r, int fd, size_t max_size, int timeout_ms);

/* Enters an object or array that `container` holds; its values go to
 * `child` (an object's values go where its keys say). */
int reader_push(reader *r, unsigned container, unsigned child);

/* Sets the error "NAME: message" and returns 0 (which stops yajl). */
int reader_fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NAME: FIELD: cannot be a number". */
int reader_type_error(reader *r, unsigned slot, json_kind k);
/* A string over NVCT_JSON_MAX_STRING in `slot`. */
int reader_too_long(reader *r, unsigned slot, size_t len);
/* Replaces *dst (and *dst_len, unless NULL) with the string as Go decodes
 * it (nvct_go_string_copy); refuses one over NVCT_JSON_MAX_STRING. */
int reader_set_string(reader *r, unsigned slot, char **dst, size_t *dst_len, const char *s,
                      size_t len);

/* The handler of SLOT_SKIP. */
int reader_skip(reader *r, unsigned slot, json_kind k, const char *s, size_t len);

#endif
