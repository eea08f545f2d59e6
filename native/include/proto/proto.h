/* proto/proto.h — the C ABI of libproto (C99; also valid C++).
 *
 * For engines written in C, and for any language with a C FFI (Python ctypes,
 * C#, Rust, Lua, ...). docs/embedding.md explains the model at length; the
 * rules in brief:
 *
 *  * Handles are opaque: proto_runtime, proto_thread and proto_persistent are
 *    pointers to structs you never see; a proto_cell names one value cell.
 *  * Values cross the ABI as proto_value: the 64 bits of the NaN-boxed
 *    proto::Value (docs/runtime.md). The inline helpers below make and test
 *    numbers, ints, bools, nil, symbols and references without a call.
 *  * Every function that can fail returns a proto_status. PROTO_OK is 0; on
 *    any other status nothing happened (no object is half-built, no cell
 *    half-written), the out parameters are untouched unless the function
 *    says otherwise, and proto_last_error() returns a sentence naming the
 *    problem. No C++ exception ever crosses this ABI.
 *  * Threads: an OS thread attaches (proto_thread_attach) and gets a
 *    proto_thread*, which only that OS thread may use, until it detaches.
 *    Functions taking a proto_runtime* may be called from any thread,
 *    attached or not (except create/destroy).
 *  * Handle model. A reference (an object, string or tuple) stays alive
 *    while something roots it. Every function that returns a reference to
 *    the calling thread — a new object, string or tuple, and a reference
 *    read by proto_get, proto_find, proto_cell_load, proto_tuple_at,
 *    proto_object_parent or proto_persistent_get — roots it in the calling
 *    thread's innermost handle scope, until that scope closes. Attaching
 *    opens the outermost scope (it closes at detach). Open a scope around
 *    each frame or each batch of work (proto_scope_open / proto_scope_close,
 *    strictly nested) or the roots pile up. To keep a reference across
 *    scopes or hand it to another thread, make a proto_persistent: an
 *    explicit root any thread may read or release. A reference stored in a
 *    live object's attribute or in a cell is also alive while that holds.
 *    Using a reference after nothing roots it is undefined behaviour, as is
 *    passing a proto_value with a reference tag that did not come from this
 *    runtime.
 *  * A runtime can be destroyed only once every thread has detached and
 *    every persistent has been released (PROTO_E_INVALID_ARGUMENT otherwise;
 *    the runtime is then left alone).
 */
#ifndef PROTO_PROTO_H
#define PROTO_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_WIN32)
#if defined(PROTO_C_API_BUILD)
#define PROTO_API __declspec(dllexport)
#else
#define PROTO_API
#endif
#elif defined(__GNUC__)
#define PROTO_API __attribute__((visibility("default")))
#else
#define PROTO_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ------------------------------------------------------------ */

/* Bumped when a function's signature or a struct's layout changes. */
#define PROTO_ABI_VERSION 1

/* "0.1.0": the library's version (proto::version()). Static storage. */
PROTO_API const char* proto_version(void);
/* PROTO_ABI_VERSION of the library actually loaded: compare it with the
 * header's when loading the shared library at run time. */
PROTO_API int proto_abi_version(void);

/* ---- statuses and errors ------------------------------------------------ */

/* One status per proto::ErrorCode, in that order, plus three of the C ABI. */
typedef enum proto_status {
  PROTO_OK = 0,
  PROTO_E_WRONG_KIND = 1,        /* a value of one kind where another is required */
  PROTO_E_UNKNOWN_SYMBOL = 2,    /* a symbol id this runtime never interned */
  PROTO_E_NOT_ATTACHED = 3,      /* a proto_thread used from an OS thread not its own, or while left */
  PROTO_E_ALREADY_ATTACHED = 4,  /* the calling OS thread is attached already */
  PROTO_E_INVALID_ARGUMENT = 5,  /* anything else a caller got wrong (a null pointer, a bad option) */
  PROTO_E_OUT_OF_RANGE = 6,      /* an index or length outside what the value holds */
  PROTO_E_NOT_MUTABLE = 7,       /* a write to an attribute not declared mutable */
  PROTO_E_MISSING = 8,           /* a required attribute is not there */
  PROTO_E_OUT_OF_MEMORY = 9,     /* the heap or cell table hit its limit even after collecting */
  PROTO_E_INVALID_UTF8 = 10,     /* bytes that are not well-formed UTF-8 */
  PROTO_E_BUFFER_TOO_SMALL = 11, /* an output buffer is too small: the needed size was written */
  PROTO_E_INTERNAL = 12          /* any other failure inside the runtime (a bug: please report it) */
} proto_status;

/* The message of the last call on the calling OS thread that did not return
 * PROTO_OK ("" if none yet). Successful calls leave it alone. Valid until
 * the next failing call on the same OS thread. Needs no attached thread. */
PROTO_API const char* proto_last_error(void);
/* "PROTO_OK", "PROTO_E_WRONG_KIND", ...; "PROTO_E_UNKNOWN" for other ints. */
PROTO_API const char* proto_status_name(proto_status status);

/* ---- values ------------------------------------------------------------- */

/* The 64 bits of a proto::Value. Doubles are their own IEEE-754 bits (every
 * NaN canonicalised); other kinds live in the NaN space, the tag in the top
 * 16 bits. Compare two values with ==: equal bits are equal values. */
typedef uint64_t proto_value;
/* An interned name; 0 is "no symbol". */
typedef uint32_t proto_symbol;

#define PROTO_TAG_SHIFT 48
#define PROTO_TAG_INT 0xFFF9u
#define PROTO_TAG_SPECIAL 0xFFFAu
#define PROTO_TAG_SYMBOL 0xFFFBu
#define PROTO_TAG_REFERENCE 0xFFFCu
#define PROTO_PAYLOAD_MASK ((((uint64_t)1) << PROTO_TAG_SHIFT) - 1)
#define PROTO_CANONICAL_NAN ((uint64_t)0x7FF8000000000000ull)

#define PROTO_NIL ((((uint64_t)PROTO_TAG_SPECIAL) << PROTO_TAG_SHIFT) | 0u)
#define PROTO_FALSE ((((uint64_t)PROTO_TAG_SPECIAL) << PROTO_TAG_SHIFT) | 2u)
#define PROTO_TRUE ((((uint64_t)PROTO_TAG_SPECIAL) << PROTO_TAG_SHIFT) | 3u)
/* What a lookup gives when no object on the chain has the name. Never stored:
 * passing it as an attribute, cell or tuple value is PROTO_E_INVALID_ARGUMENT. */
#define PROTO_MISSING ((((uint64_t)PROTO_TAG_SPECIAL) << PROTO_TAG_SHIFT) | 4u)

typedef enum proto_value_kind {
  PROTO_KIND_NUMBER = 0, /* a double */
  PROTO_KIND_INT = 1,    /* a 32-bit integer */
  PROTO_KIND_NIL = 2,
  PROTO_KIND_BOOL = 3,
  PROTO_KIND_MISSING = 4,
  PROTO_KIND_SYMBOL = 5,
  PROTO_KIND_REFERENCE = 6, /* an object, a string or a tuple (proto_reference_kind says which) */
  PROTO_KIND_OTHER = 7      /* never handed out by the ABI */
} proto_value_kind;

static inline uint32_t proto_value_tag(proto_value v) { return (uint32_t)(v >> PROTO_TAG_SHIFT); }

static inline proto_value proto_number(double d) {
  proto_value bits;
  if (d != d) return PROTO_CANONICAL_NAN;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}
static inline proto_value proto_int(int32_t i) {
  return (((uint64_t)PROTO_TAG_INT) << PROTO_TAG_SHIFT) | (uint64_t)(uint32_t)i;
}
static inline proto_value proto_nil(void) { return PROTO_NIL; }
static inline proto_value proto_bool(int b) { return b ? PROTO_TRUE : PROTO_FALSE; }
static inline proto_value proto_symbol_value(proto_symbol s) {
  return (((uint64_t)PROTO_TAG_SYMBOL) << PROTO_TAG_SHIFT) | (uint64_t)s;
}

/* A double (not an int). */
static inline int proto_is_number(proto_value v) { return proto_value_tag(v) < PROTO_TAG_INT; }
static inline int proto_is_int(proto_value v) { return proto_value_tag(v) == PROTO_TAG_INT; }
/* A double or an int: anything proto_to_double accepts. */
static inline int proto_is_numeric(proto_value v) { return proto_value_tag(v) <= PROTO_TAG_INT; }
static inline int proto_is_nil(proto_value v) { return v == PROTO_NIL; }
static inline int proto_is_bool(proto_value v) { return (v | 1u) == PROTO_TRUE; }
static inline int proto_is_missing(proto_value v) { return v == PROTO_MISSING; }
static inline int proto_is_symbol(proto_value v) { return proto_value_tag(v) == PROTO_TAG_SYMBOL; }
static inline int proto_is_reference(proto_value v) { return proto_value_tag(v) == PROTO_TAG_REFERENCE; }

static inline proto_value_kind proto_kind(proto_value v) {
  uint32_t tag = proto_value_tag(v);
  if (tag < PROTO_TAG_INT) return PROTO_KIND_NUMBER;
  if (tag == PROTO_TAG_INT) return PROTO_KIND_INT;
  if (tag == PROTO_TAG_SYMBOL) return PROTO_KIND_SYMBOL;
  if (tag == PROTO_TAG_REFERENCE) return PROTO_KIND_REFERENCE;
  if (v == PROTO_NIL) return PROTO_KIND_NIL;
  if (proto_is_bool(v)) return PROTO_KIND_BOOL;
  if (v == PROTO_MISSING) return PROTO_KIND_MISSING;
  return PROTO_KIND_OTHER;
}

/* Unchecked accessors: test the kind first. */
static inline double proto_as_number(proto_value v) {
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}
static inline int32_t proto_as_int(proto_value v) { return (int32_t)(uint32_t)(v & 0xFFFFFFFFu); }
static inline int proto_as_bool(proto_value v) { return (int)(v & 1u); }
static inline proto_symbol proto_as_symbol(proto_value v) { return (proto_symbol)(v & 0xFFFFFFFFu); }
/* The number of a double or an int; NaN for any other kind. */
static inline double proto_to_double(proto_value v) {
  if (proto_is_int(v)) return (double)proto_as_int(v);
  if (proto_is_number(v)) return proto_as_number(v);
  return proto_as_number(PROTO_CANONICAL_NAN);
}

typedef enum proto_reference_kind {
  PROTO_REF_NONE = 0, /* not a reference */
  PROTO_REF_OBJECT = 1,
  PROTO_REF_STRING = 2,
  PROTO_REF_TUPLE = 3
} proto_reference_kind;

/* What a reference refers to. `v` must be rooted (see the handle model);
 * PROTO_REF_NONE for any value that is not a reference. Needs no thread. */
PROTO_API proto_reference_kind proto_reference_kind_of(proto_value v);

/* ---- runtime ------------------------------------------------------------ */

typedef struct proto_runtime proto_runtime;
typedef struct proto_thread proto_thread;

/* proto::RuntimeOptions. Fill with proto_runtime_options_init, then change
 * what you need: fields added later go at the end, and `size` tells the
 * library how much of the struct the caller knows. */
typedef struct proto_runtime_options {
  size_t size;              /* sizeof(proto_runtime_options): set by _init */
  size_t heap_limit_bytes;  /* hard heap limit (objects, strings, tuples); default 4 GiB */
  size_t cell_limit_bytes;  /* hard cell-table limit; 0 (default): none but the machine's */
  size_t gc_trigger_bytes;  /* the pacer starts a cycle after this much allocation; default 16 MiB */
  double frame_budget_ms;   /* GC pause budget per frame; default 0.5 */
  int attribute_cache;      /* the per-thread attribute cache; default 1 */
  int background_collector; /* run the collector thread (0: cycles only through proto_runtime_collect);
                               default 1 */
  int gc_stress;            /* collect at every safepoint: 1 on, 0 off, -1 (default) reads PROTO_GC_STRESS */
} proto_runtime_options;

/* Fills `options` with the defaults. Never fails (a null pointer is ignored). */
PROTO_API void proto_runtime_options_init(proto_runtime_options* options);

/* Makes a runtime; `options` may be null for the defaults. On PROTO_OK,
 * *out owns the runtime until proto_runtime_destroy. Errors:
 * PROTO_E_INVALID_ARGUMENT (null out, an options->size this library does not
 * know, a bad option), PROTO_E_OUT_OF_MEMORY. */
PROTO_API proto_status proto_runtime_create(const proto_runtime_options* options, proto_runtime** out);
/* Stops the collector and frees everything (cells and numeric blocks still
 * held included). Refused (PROTO_E_INVALID_ARGUMENT, runtime untouched) while
 * a thread is attached or a persistent made through this ABI is alive. Null is PROTO_OK. Not concurrently
 * with any other use of the runtime. */
PROTO_API proto_status proto_runtime_destroy(proto_runtime* runtime);

/* Runs one full collection cycle and waits for it. Any thread: attached (the
 * collector answers this thread's handshakes while it waits), left or not
 * attached. */
PROTO_API proto_status proto_runtime_collect(proto_runtime* runtime);
/* Sets the GC pause budget per frame (ms, >= 0). Any thread. */
PROTO_API proto_status proto_runtime_set_frame_budget_ms(proto_runtime* runtime, double ms);
/* Turns every thread's attribute cache on or off (the calling thread at once,
 * the others at their next handshake). Any thread. */
PROTO_API proto_status proto_runtime_set_attribute_cache(proto_runtime* runtime, int enabled);

/* ---- threads and handle scopes ------------------------------------------- */

/* Attaches the calling OS thread and opens its outermost handle scope. The
 * proto_thread is for this OS thread only, until proto_thread_detach.
 * Errors: PROTO_E_ALREADY_ATTACHED (this OS thread is attached to a runtime
 * already), PROTO_E_INVALID_ARGUMENT (null). */
PROTO_API proto_status proto_thread_attach(proto_runtime* runtime, proto_thread** out);
/* Closes every handle scope still open, re-enters if left, and detaches;
 * `thread` is freed. Must be called on the OS thread that attached
 * (PROTO_E_NOT_ATTACHED otherwise). An attached thread must detach before it
 * exits. */
PROTO_API proto_status proto_thread_detach(proto_thread* thread);
/* The runtime the thread is attached to (null for null). */
PROTO_API proto_runtime* proto_thread_runtime(proto_thread* thread);

/* Leaves the runtime for a long native call or a blocking wait (I/O, joining
 * another thread, a condition variable): the collector answers handshakes on
 * this thread's behalf meanwhile and never waits for it. While left, no
 * function taking this proto_thread may be called (PROTO_E_NOT_ATTACHED),
 * except proto_thread_enter and proto_thread_detach; references it holds stay
 * rooted. Leaves nest: each proto_thread_leave needs one proto_thread_enter.
 * An attached thread that blocks without leaving holds every collection up,
 * which can deadlock a thread waiting for memory. */
PROTO_API proto_status proto_thread_leave(proto_thread* thread);
PROTO_API proto_status proto_thread_enter(proto_thread* thread);

/* Answers a pending GC handshake, if any (cheap when none is pending). Every
 * runtime call that allocates does this already; call it in long loops that
 * do not. */
PROTO_API proto_status proto_safepoint(proto_thread* thread);

/* Opens a handle scope: references returned to this thread from now on are
 * rooted in it until proto_scope_close. *depth_out receives the scope's
 * depth (the outermost scope, opened by attach, is depth 0; this one is 1 or
 * more). Close scopes in reverse order: proto_scope_close(thread, depth)
 * closes the innermost scope, which must be `depth` (PROTO_E_INVALID_ARGUMENT
 * otherwise, nothing closed). The outermost scope cannot be closed. */
PROTO_API proto_status proto_scope_open(proto_thread* thread, size_t* depth_out);
PROTO_API proto_status proto_scope_close(proto_thread* thread, size_t depth);

/* ---- symbols ------------------------------------------------------------ */

/* Interns `name` (`length` bytes; need not be NUL-terminated; any bytes). The
 * same name gives the same symbol. Any thread. */
PROTO_API proto_status proto_symbol_intern(proto_runtime* runtime, const char* name, size_t length,
                                           proto_symbol* out);
/* The name of an interned symbol: *name_out points at `*length_out` bytes
 * followed by a NUL, owned by the runtime and valid until it is destroyed.
 * PROTO_E_UNKNOWN_SYMBOL for an id this runtime never handed out. Any thread. */
PROTO_API proto_status proto_symbol_name(proto_runtime* runtime, proto_symbol symbol, const char** name_out,
                                         size_t* length_out);

/* ---- objects ------------------------------------------------------------ */

/* One attribute of a new object. A mutable attribute gets its own value cell
 * holding `value`; proto_set / proto_cell_of reach it. */
typedef struct proto_attribute {
  proto_symbol name;
  proto_value value;
  int is_mutable;
} proto_attribute;

/* A new immutable object with `parent` (PROTO_NIL for none, or an object) and
 * `count` attributes with distinct names (`attributes` may be null when count
 * is 0). Rooted in the innermost scope. Values must be storable (not
 * PROTO_MISSING; references to live objects, strings or tuples) and rooted
 * until the call returns. Errors: PROTO_E_WRONG_KIND (parent not an object),
 * PROTO_E_INVALID_ARGUMENT (duplicate name, bad value), PROTO_E_UNKNOWN_SYMBOL,
 * PROTO_E_OUT_OF_MEMORY. */
PROTO_API proto_status proto_object_new(proto_thread* thread, proto_value parent,
                                        const proto_attribute* attributes, size_t count, proto_value* out);
/* proto_object_new with a required parent: the way to derive a behaviour or
 * an entity from a prototype. PROTO_E_WRONG_KIND unless `parent` is an object. */
PROTO_API proto_status proto_object_extend(proto_thread* thread, proto_value parent,
                                           const proto_attribute* attributes, size_t count, proto_value* out);
/* A new object equal to `object` but with `name` set to `value` (added if
 * absent); same parent. A mutable attribute of the original gets a fresh
 * cell holding its current value. Rooted in the innermost scope. */
PROTO_API proto_status proto_object_with(proto_thread* thread, proto_value object, proto_symbol name,
                                         proto_value value, proto_value* out);
/* The object's parent, or PROTO_NIL. */
PROTO_API proto_status proto_object_parent(proto_thread* thread, proto_value object, proto_value* out);

/* The attribute's value, own or inherited (a mutable one's current value);
 * PROTO_MISSING (with PROTO_OK) when no object on the chain has it. O(1) on
 * an attribute-cache hit. A reference is rooted in the innermost scope. */
PROTO_API proto_status proto_get(proto_thread* thread, proto_value object, proto_symbol name,
                                 proto_value* out);

typedef enum proto_where {
  PROTO_WHERE_MISSING = 0,
  PROTO_WHERE_OWN = 1,
  PROTO_WHERE_INHERITED = 2
} proto_where;
typedef struct proto_cell_s* proto_cell; /* one value cell; null is "none" */
typedef struct proto_lookup {
  proto_where where;
  int is_mutable;
  proto_value value; /* PROTO_MISSING when missing; a reference is rooted in the innermost scope */
  proto_cell cell;   /* the attribute's cell when is_mutable, else null */
} proto_lookup;
/* Like proto_get, but says where the answer was found and hands out the cell. */
PROTO_API proto_status proto_find(proto_thread* thread, proto_value object, proto_symbol name,
                                  proto_lookup* out);
/* Writes a mutable attribute's cell (own or inherited). PROTO_E_NOT_MUTABLE
 * for an immutable attribute, PROTO_E_MISSING when absent. */
PROTO_API proto_status proto_set(proto_thread* thread, proto_value object, proto_symbol name,
                                 proto_value value);

/* ---- cells -------------------------------------------------------------- */

/* The cell of a mutable attribute (own or inherited): resolve once, then load
 * and store it directly. The cell lives as long as its object.
 * PROTO_E_MISSING / PROTO_E_NOT_MUTABLE otherwise. */
PROTO_API proto_status proto_cell_of(proto_thread* thread, proto_value object, proto_symbol name,
                                     proto_cell* out);
/* The cell's value (an acquire load); a reference is rooted in the innermost
 * scope. */
PROTO_API proto_status proto_cell_load(proto_thread* thread, proto_cell cell, proto_value* out);
/* Stores through the collector's barrier. PROTO_E_INVALID_ARGUMENT for
 * PROTO_MISSING or a reference that is not a live heap object. */
PROTO_API proto_status proto_cell_store(proto_thread* thread, proto_cell cell, proto_value value);
/* Stores `value` and writes the previous value to *old_out (may be null). */
PROTO_API proto_status proto_cell_exchange(proto_thread* thread, proto_cell cell, proto_value value,
                                           proto_value* old_out);
/* If the cell holds *expected, stores `desired` and sets *swapped_out to 1;
 * otherwise writes the current value to *expected and sets *swapped_out to 0.
 * Both are PROTO_OK. `swapped_out` may be null. */
PROTO_API proto_status proto_cell_compare_exchange(proto_thread* thread, proto_cell cell,
                                                   proto_value* expected, proto_value desired,
                                                   int* swapped_out);
/* A standalone cell holding `initial`, owned by the caller: a root, like a
 * persistent. Free it exactly once with proto_cell_free (any attached thread
 * of the same runtime); freeing an attribute's cell is refused. */
PROTO_API proto_status proto_cell_new(proto_thread* thread, proto_value initial, proto_cell* out);
PROTO_API proto_status proto_cell_free(proto_thread* thread, proto_cell cell);

/* ---- numeric blocks ----------------------------------------------------- */

typedef enum proto_numeric_type {
  PROTO_F64 = 0,
  PROTO_F32 = 1,
  PROTO_I32 = 2,
  PROTO_U32 = 3,
  PROTO_U8 = 4
} proto_numeric_type;

/* A contiguous, zeroed column of `count` numbers of one type (an ECS column):
 * read and write `data` directly, it never moves until freed and the
 * collector never looks inside. 8-byte aligned. */
typedef struct proto_numeric_block {
  void* data;
  size_t count; /* elements */
  size_t bytes; /* count * element size */
  proto_numeric_type type;
} proto_numeric_block;

PROTO_API proto_status proto_numeric_block_new(proto_thread* thread, proto_numeric_type type, size_t count,
                                               proto_numeric_block* out);
/* Frees a block made by proto_numeric_block_new (once) and zeroes *block. */
PROTO_API proto_status proto_numeric_block_free(proto_thread* thread, proto_numeric_block* block);

/* ---- strings (UTF-8 ropes) ---------------------------------------------- */

/* A string of `length` bytes of UTF-8 (PROTO_E_INVALID_UTF8, naming the
 * offset, if ill-formed). Rooted in the innermost scope. */
PROTO_API proto_status proto_string_from_utf8(proto_thread* thread, const char* utf8, size_t length,
                                              proto_value* out);
/* Copies the string's UTF-8 into `buffer` (capacity bytes) followed by a NUL
 * and sets *length_out to its byte length (without the NUL). If capacity is
 * less than length + 1, writes nothing, sets *length_out and returns
 * PROTO_E_BUFFER_TOO_SMALL; `buffer` may be null to ask for the length.
 * Needs no thread (the string must be rooted). */
PROTO_API proto_status proto_string_to_utf8(proto_value string, char* buffer, size_t capacity,
                                            size_t* length_out);
/* Lengths in code points (what slice indexes by) and in UTF-8 bytes; either
 * pointer may be null. Needs no thread. */
PROTO_API proto_status proto_string_length(proto_value string, size_t* code_points_out, size_t* bytes_out);
/* a ++ b, O(log N). Rooted in the innermost scope. */
PROTO_API proto_status proto_string_concat(proto_thread* thread, proto_value a, proto_value b,
                                           proto_value* out);
/* Code points [begin, end), O(log N). PROTO_E_OUT_OF_RANGE unless
 * begin <= end <= length. */
PROTO_API proto_status proto_string_slice(proto_thread* thread, proto_value string, size_t begin, size_t end,
                                          proto_value* out);

/* `text` inserted before code point `at` (at == length appends), O(log N).
 * PROTO_E_OUT_OF_RANGE if at > length. Rooted in the innermost scope. */
PROTO_API proto_status proto_string_insert(proto_thread* thread, proto_value string, size_t at,
                                           proto_value text, proto_value* out);
/* The string without code points [begin, end), O(log N). PROTO_E_OUT_OF_RANGE
 * unless begin <= end <= length. Rooted in the innermost scope. */
PROTO_API proto_status proto_string_erase(proto_thread* thread, proto_value string, size_t begin, size_t end,
                                          proto_value* out);
/* proto_string_find's *index_out when the needle does not occur. */
#define PROTO_NOT_FOUND ((size_t)-1)
/* The code point index of the first occurrence of `needle` at or after code
 * point `from`, or PROTO_NOT_FOUND (also when from > length). An empty needle
 * is found at `from`. Needs no thread. */
PROTO_API proto_status proto_string_find(proto_value string, proto_value needle, size_t from,
                                         size_t* index_out);
/* A string of `length` UTF-16 code units (`utf16` may be null when length is
 * 0). A lone surrogate is PROTO_E_INVALID_ARGUMENT, naming the unit. Rooted in the
 * innermost scope. */
PROTO_API proto_status proto_string_from_utf16(proto_thread* thread, const uint16_t* utf16, size_t length,
                                               proto_value* out);
/* Copies the string as UTF-16 into `buffer` (capacity units, no terminator)
 * and sets *length_out to its length in units. If capacity is short, writes
 * nothing, sets *length_out and returns PROTO_E_BUFFER_TOO_SMALL; `buffer`
 * may be null to ask for the length. Needs no thread. */
PROTO_API proto_status proto_string_to_utf16(proto_value string, uint16_t* buffer, size_t capacity,
                                             size_t* length_out);
/* The length in UTF-16 code units (a JavaScript or C# string's length). */
PROTO_API proto_status proto_string_utf16_length(proto_value string, size_t* units_out);

/* ---- tuples (value ropes) ----------------------------------------------- */

/* A tuple of `count` storable values (`values` may be null when count is 0). */
PROTO_API proto_status proto_tuple_new(proto_thread* thread, const proto_value* values, size_t count,
                                       proto_value* out);
/* Copies the tuple's values into `buffer` (capacity values) and sets
 * *count_out; PROTO_E_BUFFER_TOO_SMALL (nothing written, *count_out set) if
 * capacity is short. The references copied out are not rooted by this call:
 * the tuple roots them while it lives. Needs no thread. */
PROTO_API proto_status proto_tuple_to_values(proto_value tuple, proto_value* buffer, size_t capacity,
                                             size_t* count_out);
PROTO_API proto_status proto_tuple_length(proto_value tuple, size_t* count_out);
/* The value at `index` (O(log N)); a reference is rooted in the innermost scope. */
PROTO_API proto_status proto_tuple_at(proto_thread* thread, proto_value tuple, size_t index,
                                      proto_value* out);
PROTO_API proto_status proto_tuple_concat(proto_thread* thread, proto_value a, proto_value b,
                                          proto_value* out);
PROTO_API proto_status proto_tuple_slice(proto_thread* thread, proto_value tuple, size_t begin, size_t end,
                                         proto_value* out);
/* The tuple with `value` appended at the back or the front: amortised O(1),
 * sharing the rest. Rooted in the innermost scope. */
PROTO_API proto_status proto_tuple_push_back(proto_thread* thread, proto_value tuple, proto_value value,
                                             proto_value* out);
PROTO_API proto_status proto_tuple_push_front(proto_thread* thread, proto_value tuple, proto_value value,
                                              proto_value* out);
/* The tuple without its last or first value; PROTO_E_OUT_OF_RANGE on an
 * empty tuple. Rooted in the innermost scope. */
PROTO_API proto_status proto_tuple_pop_back(proto_thread* thread, proto_value tuple, proto_value* out);
PROTO_API proto_status proto_tuple_pop_front(proto_thread* thread, proto_value tuple, proto_value* out);

/* ---- persistent handles -------------------------------------------------- */

typedef struct proto_persistent proto_persistent;

/* An explicit root holding `value` (a reference, or PROTO_NIL), made by an
 * attached thread. It keeps the referent alive until
 * proto_persistent_release, whatever scopes close; any thread of the process
 * may read or release it (the way to share a prototype between threads). */
PROTO_API proto_status proto_persistent_new(proto_thread* thread, proto_value value, proto_persistent** out);
/* The persistent's value, rooted in the calling thread's innermost scope
 * (any attached thread of the same runtime). */
PROTO_API proto_status proto_persistent_get(proto_thread* thread, const proto_persistent* persistent,
                                            proto_value* out);
/* Drops the root and frees the handle. Any thread, attached or not, while
 * the runtime lives. Null is PROTO_OK. */
PROTO_API proto_status proto_persistent_release(proto_persistent* persistent);

/* ---- frames and statistics ---------------------------------------------- */

/* proto::StallKind: every way memory management can hold a thread up
 * (docs/collector.md says what each covers). */
typedef enum proto_stall_kind {
  PROTO_STALL_HANDSHAKE = 0,    /* answering a GC handshake */
  PROTO_STALL_HEAP_LIMIT = 1,   /* waiting at the heap limit for a collection */
  PROTO_STALL_SWEEP_ASSIST = 2, /* sweeping pages itself instead of growing the heap */
  PROTO_STALL_LOCK_WAIT = 3,    /* blocked on a runtime lock */
  PROTO_STALL_ENTER = 4,        /* re-entering the runtime while the collector held the thread */
  PROTO_STALL_MARK_ASSIST = 5   /* marking, in pay for allocating while the collector marks */
} proto_stall_kind;
#define PROTO_STALL_KINDS 6
/* "handshake", "heap_limit", "sweep_assist", "lock_wait", "enter",
 * "mark_assist" (static storage); "unknown" for anything else. */
PROTO_API const char* proto_stall_kind_name(int kind);

/* proto::FrameRecord: one thread's GC accounting of one frame. */
typedef struct proto_frame_record {
  uint64_t frame;
  double duration_ms;                 /* frame begin to frame end */
  double gc_pause_ms;                 /* every stall of this thread inside the frame, summed */
  double longest_pause_ms;            /* the longest single stall */
  double stall_ms[PROTO_STALL_KINDS]; /* gc_pause_ms by proto_stall_kind */
  uint32_t stalls;
  uint32_t handshakes;
  double budget_ms; /* the budget in force when the frame ended */
  int over_budget;
  int allocation_outran_collection; /* waited at the heap limit in this frame */
} proto_frame_record;

/* Marks the start of a frame on this thread (answers a pending handshake, so
 * its cost is charged to the frame it begins). */
PROTO_API proto_status proto_frame_begin(proto_thread* thread);
/* Ends the frame and fills *out (may be null). PROTO_E_INVALID_ARGUMENT
 * without a frame begun. */
PROTO_API proto_status proto_frame_end(proto_thread* thread, proto_frame_record* out);

/* proto::StallStats, microseconds; percentiles over the last 4 096 stalls. */
typedef struct proto_stall_stats {
  uint64_t count;
  double total_ms;
  double p50_us, p99_us, max_us;
} proto_stall_stats;

/* proto::GcStats. */
typedef struct proto_gc_stats {
  uint64_t cycles;
  uint64_t handshakes;
  size_t heap_bytes;
  size_t live_bytes;      /* marked by the last cycle */
  size_t allocated_bytes; /* since the runtime started */
  size_t live_objects;
  size_t cells_in_use;
  double last_cycle_ms;
  double pause_p50_us, pause_p99_us, pause_max_us; /* every stall of every thread */
  uint64_t pause_count;
  proto_stall_stats stalls[PROTO_STALL_KINDS]; /* the same, by proto_stall_kind */
  uint64_t frames_over_budget;
  double frame_budget_ms;
} proto_gc_stats;

/* A snapshot of the collector's statistics. Any thread. */
PROTO_API proto_status proto_runtime_gc_stats(proto_runtime* runtime, proto_gc_stats* out);

/* One stall as a thread lived it (proto::StallSample). */
typedef struct proto_stall_sample {
  int64_t start_ns; /* when it began: steady clock, nanoseconds */
  double us;        /* how long it lasted */
  int32_t kind;     /* a proto_stall_kind */
  uint32_t thread;  /* an id per attached thread */
} proto_stall_sample;

/* Moves the stalls of every thread recorded since the last call (the newest
 * 2^18 at most) out of the runtime, oldest first: copies up to `capacity` of
 * them into `buffer`, sets *count_out to how many, and *remaining_out (may be
 * null) to how many are still waiting, which the next call returns first.
 * `buffer` may be null when capacity is 0. Any thread. */
PROTO_API proto_status proto_runtime_take_stall_samples(proto_runtime* runtime, proto_stall_sample* buffer,
                                                        size_t capacity, size_t* count_out,
                                                        size_t* remaining_out);

/* Test support: re-marks everything reachable from every root while all
 * attached threads are parked, and fails with PROTO_E_INVALID_ARGUMENT
 * ("heap verification failed: ...") if anything reachable was freed or
 * malformed. Slow; stops the world. Any thread, attached or not. */
PROTO_API proto_status proto_runtime_verify_heap(proto_runtime* runtime);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PROTO_PROTO_H */
