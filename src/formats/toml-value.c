/* SPDX-License-Identifier: Apache-2.0 */
/* The TOML tree: values, tables with an index once they grow, arrays, and
 * the accessors of toml.h. */
#define _GNU_SOURCE
#include "toml-internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/utf8.h"

/* ---- values ---- */

void nvct_toml_free(nvct_toml_value *v) {
        if (v == NULL)
                return;

        /* Recursion depth is bounded by NVCT_TOML_MAX_DEPTH, enforced when
         * containers are created. */
        switch (v->type) {
        case NVCT_TOML_TABLE:
                for (size_t i = 0; i < v->table.n_entries; i++) {
                        free(v->table.entries[i].key);
                        nvct_toml_free(v->table.entries[i].value);
                }
                free(v->table.entries);
                free(v->table.slots);
                break;
        case NVCT_TOML_ARRAY:
                for (size_t i = 0; i < v->array.n_items; i++)
                        nvct_toml_free(v->array.items[i]);
                free(v->array.items);
                break;
        case NVCT_TOML_STRING:
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                free(v->string.text);
                break;
        default:
                break;
        }
        free(v);
}

nvct_toml_value *toml_value_new(nvct_toml_type type) {
        nvct_toml_value *v = calloc(1, sizeof(*v));
        if (v != NULL)
                v->type = type;
        return v;
}

/* Grows an array to hold at least `need` elements. Returns the (possibly
 * moved) array, or NULL with the old one untouched and still owned by the
 * caller. */
void *toml_grow_array(void *array, size_t *n_allocated, size_t need, size_t elem_size) {
        if (need <= *n_allocated)
                return array;

        size_t n = *n_allocated > 0 ? *n_allocated : 4;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        return NULL;
                n *= 2;
        }
        if (n > SIZE_MAX / elem_size)
                return NULL;

        void *p = realloc(array, n * elem_size);
        if (p == NULL)
                return NULL;
        *n_allocated = n;
        return p;
}

/* Keyed (hash.h): keys crafted to collide cannot make a table quadratic. */
static uint64_t key_hash(const char *key, size_t len) {
        return nvct_hash(key, len);
}

static void slots_insert(size_t *slots, size_t n_slots, const table_entry *e, size_t index) {
        size_t mask = n_slots - 1;
        size_t s = (size_t)key_hash(e->key, e->key_len) & mask;
        while (slots[s] != 0)
                s = (s + 1) & mask;
        slots[s] = index + 1;
}

static int table_reindex(nvct_toml_value *t, size_t n_slots) {
        size_t *slots = calloc(n_slots, sizeof(size_t));
        if (slots == NULL)
                return -ENOMEM;
        for (size_t i = 0; i < t->table.n_entries; i++)
                slots_insert(slots, n_slots, &t->table.entries[i], i);
        free(t->table.slots);
        t->table.slots = slots;
        t->table.n_slots = n_slots;
        return 0;
}

nvct_toml_value *toml_table_find(const nvct_toml_value *t, const char *key, size_t len) {
        if (t->table.slots == NULL) {
                for (size_t i = 0; i < t->table.n_entries; i++) {
                        const table_entry *e = &t->table.entries[i];
                        if (e->key_len == len && memcmp(e->key, key, len) == 0)
                                return e->value;
                }
                return NULL;
        }

        size_t mask = t->table.n_slots - 1;
        for (size_t s = (size_t)key_hash(key, len) & mask; t->table.slots[s] != 0;
             s = (s + 1) & mask) {
                const table_entry *e = &t->table.entries[t->table.slots[s] - 1];
                if (e->key_len == len && memcmp(e->key, key, len) == 0)
                        return e->value;
        }
        return NULL;
}

/* Appends a key known to be absent. Takes ownership of key and value on
 * success only. */
int toml_table_add(nvct_toml_value *t, char *key, size_t key_len, nvct_toml_value *value) {
        table_entry *entries = toml_grow_array(t->table.entries, &t->table.n_allocated,
                                               t->table.n_entries + 1, sizeof(table_entry));
        if (entries == NULL)
                return -ENOMEM;
        t->table.entries = entries;

        size_t index = t->table.n_entries;
        entries[index] = (table_entry){ .key = key, .key_len = key_len, .value = value };
        t->table.n_entries++;

        size_t n = t->table.n_entries;
        if (n > TABLE_INDEX_THRESHOLD) {
                /* Keep the load factor at or below one half. */
                if (n > t->table.n_slots / 2) {
                        size_t n_slots = t->table.n_slots > 0 ? t->table.n_slots * 2 : 32;
                        if (n_slots < n || table_reindex(t, n_slots) < 0) {
                                t->table.n_entries--;
                                return -ENOMEM;
                        }
                } else
                        slots_insert(t->table.slots, t->table.n_slots, &entries[index], index);
        }
        return 0;
}

int toml_array_append(nvct_toml_value *a, nvct_toml_value *item) {
        nvct_toml_value **items = toml_grow_array(a->array.items, &a->array.n_allocated,
                                                  a->array.n_items + 1, sizeof(nvct_toml_value *));
        if (items == NULL)
                return -ENOMEM;
        a->array.items = items;
        items[a->array.n_items++] = item;
        return 0;
}

/* ---- accessors ---- */

nvct_toml_type nvct_toml_type_of(const nvct_toml_value *v) {
        return v->type;
}

const char *nvct_toml_type_name(nvct_toml_type t) {
        switch (t) {
        case NVCT_TOML_TABLE:
                return "table";
        case NVCT_TOML_ARRAY:
                return "array";
        case NVCT_TOML_STRING:
                return "string";
        case NVCT_TOML_INTEGER:
                return "integer";
        case NVCT_TOML_FLOAT:
                return "float";
        case NVCT_TOML_BOOL:
                return "bool";
        case NVCT_TOML_DATETIME:
                return "datetime";
        case NVCT_TOML_DATETIME_LOCAL:
                return "datetime-local";
        case NVCT_TOML_DATE_LOCAL:
                return "date-local";
        case NVCT_TOML_TIME_LOCAL:
                return "time-local";
        }
        return "unknown";
}

size_t nvct_toml_table_size(const nvct_toml_value *table) {
        if (table == NULL || table->type != NVCT_TOML_TABLE)
                return 0;
        return table->table.n_entries;
}

const char *nvct_toml_table_key(const nvct_toml_value *table, size_t i, size_t *ret_len) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || i >= table->table.n_entries)
                return NULL;
        if (ret_len != NULL)
                *ret_len = table->table.entries[i].key_len;
        return table->table.entries[i].key;
}

const nvct_toml_value *nvct_toml_table_value(const nvct_toml_value *table, size_t i) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || i >= table->table.n_entries)
                return NULL;
        return table->table.entries[i].value;
}

const nvct_toml_value *nvct_toml_table_get(const nvct_toml_value *table, const char *key) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || key == NULL)
                return NULL;
        return toml_table_find(table, key, strlen(key));
}

size_t nvct_toml_array_size(const nvct_toml_value *array) {
        if (array == NULL || array->type != NVCT_TOML_ARRAY)
                return 0;
        return array->array.n_items;
}

const nvct_toml_value *nvct_toml_array_get(const nvct_toml_value *array, size_t i) {
        if (array == NULL || array->type != NVCT_TOML_ARRAY || i >= array->array.n_items)
                return NULL;
        return array->array.items[i];
}

const char *nvct_toml_string(const nvct_toml_value *v, size_t *ret_len) {
        if (v == NULL || v->type != NVCT_TOML_STRING)
                return NULL;
        if (ret_len != NULL)
                *ret_len = v->string.len;
        return v->string.text;
}

int64_t nvct_toml_integer(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_INTEGER ? v->integer : 0;
}

double nvct_toml_float(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_FLOAT ? v->number : 0.0;
}

bool nvct_toml_bool(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_BOOL ? v->boolean : false;
}

const char *nvct_toml_datetime(const nvct_toml_value *v) {
        if (v == NULL)
                return NULL;
        switch (v->type) {
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                return v->string.text;
        default:
                return NULL;
        }
}
