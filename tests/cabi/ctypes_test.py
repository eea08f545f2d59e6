"""ctypes_test.py — Python drives libproto.so through the C ABI (proto/proto.h).

Proves that a foreign language with nothing but a C FFI can run Proto: a
runtime, an attached thread, a prototype with a speed, entities that inherit
or override it with a mutable position, frames with handle scopes, frame
records, strings, persistents, errors and statistics. Exits non-zero on any
mismatch.

    python3 tests/cabi/ctypes_test.py path/to/libproto.so
"""

import ctypes as C
import struct
import sys

PROTO_OK = 0
PROTO_E_NOT_MUTABLE = 7
PROTO_E_BUFFER_TOO_SMALL = 11
PROTO_STALL_KINDS = 6
NIL = (0xFFFA << 48) | 0
MISSING = (0xFFFA << 48) | 4
TAG_INT = 0xFFF9


def number(d):
    return struct.unpack("<Q", struct.pack("<d", d))[0]


def as_number(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def integer(i):
    return (TAG_INT << 48) | (i & 0xFFFFFFFF)


class RuntimeOptions(C.Structure):
    _fields_ = [
        ("size", C.c_size_t),
        ("heap_limit_bytes", C.c_size_t),
        ("cell_limit_bytes", C.c_size_t),
        ("gc_trigger_bytes", C.c_size_t),
        ("frame_budget_ms", C.c_double),
        ("attribute_cache", C.c_int),
        ("background_collector", C.c_int),
        ("gc_stress", C.c_int),
    ]


class Attribute(C.Structure):
    _fields_ = [("name", C.c_uint32), ("value", C.c_uint64), ("is_mutable", C.c_int)]


class Lookup(C.Structure):
    _fields_ = [("where", C.c_int), ("is_mutable", C.c_int), ("value", C.c_uint64), ("cell", C.c_void_p)]


class FrameRecord(C.Structure):
    _fields_ = [
        ("frame", C.c_uint64),
        ("duration_ms", C.c_double),
        ("gc_pause_ms", C.c_double),
        ("longest_pause_ms", C.c_double),
        ("stall_ms", C.c_double * PROTO_STALL_KINDS),
        ("stalls", C.c_uint32),
        ("handshakes", C.c_uint32),
        ("budget_ms", C.c_double),
        ("over_budget", C.c_int),
        ("allocation_outran_collection", C.c_int),
    ]


class StallStats(C.Structure):
    _fields_ = [
        ("count", C.c_uint64),
        ("total_ms", C.c_double),
        ("p50_us", C.c_double),
        ("p99_us", C.c_double),
        ("max_us", C.c_double),
    ]


class GcStats(C.Structure):
    _fields_ = [
        ("cycles", C.c_uint64),
        ("handshakes", C.c_uint64),
        ("heap_bytes", C.c_size_t),
        ("live_bytes", C.c_size_t),
        ("allocated_bytes", C.c_size_t),
        ("live_objects", C.c_size_t),
        ("cells_in_use", C.c_size_t),
        ("last_cycle_ms", C.c_double),
        ("pause_p50_us", C.c_double),
        ("pause_p99_us", C.c_double),
        ("pause_max_us", C.c_double),
        ("pause_count", C.c_uint64),
        ("stalls", StallStats * PROTO_STALL_KINDS),
        ("frames_over_budget", C.c_uint64),
        ("frame_budget_ms", C.c_double),
    ]


def load(path):
    lib = C.CDLL(path)
    p, u64, sz = C.c_void_p, C.c_uint64, C.c_size_t
    sigs = {
        "proto_version": (C.c_char_p, []),
        "proto_abi_version": (C.c_int, []),
        "proto_last_error": (C.c_char_p, []),
        "proto_status_name": (C.c_char_p, [C.c_int]),
        "proto_runtime_options_init": (None, [C.POINTER(RuntimeOptions)]),
        "proto_runtime_create": (C.c_int, [C.POINTER(RuntimeOptions), C.POINTER(p)]),
        "proto_runtime_destroy": (C.c_int, [p]),
        "proto_runtime_collect": (C.c_int, [p]),
        "proto_runtime_gc_stats": (C.c_int, [p, C.POINTER(GcStats)]),
        "proto_thread_attach": (C.c_int, [p, C.POINTER(p)]),
        "proto_thread_detach": (C.c_int, [p]),
        "proto_scope_open": (C.c_int, [p, C.POINTER(sz)]),
        "proto_scope_close": (C.c_int, [p, sz]),
        "proto_symbol_intern": (C.c_int, [p, C.c_char_p, sz, C.POINTER(C.c_uint32)]),
        "proto_object_new": (C.c_int, [p, u64, C.POINTER(Attribute), sz, C.POINTER(u64)]),
        "proto_object_extend": (C.c_int, [p, u64, C.POINTER(Attribute), sz, C.POINTER(u64)]),
        "proto_get": (C.c_int, [p, u64, C.c_uint32, C.POINTER(u64)]),
        "proto_find": (C.c_int, [p, u64, C.c_uint32, C.POINTER(Lookup)]),
        "proto_set": (C.c_int, [p, u64, C.c_uint32, u64]),
        "proto_cell_of": (C.c_int, [p, u64, C.c_uint32, C.POINTER(p)]),
        "proto_cell_load": (C.c_int, [p, p, C.POINTER(u64)]),
        "proto_cell_store": (C.c_int, [p, p, u64]),
        "proto_string_from_utf8": (C.c_int, [p, C.c_char_p, sz, C.POINTER(u64)]),
        "proto_string_concat": (C.c_int, [p, u64, u64, C.POINTER(u64)]),
        "proto_string_to_utf8": (C.c_int, [u64, C.c_char_p, sz, C.POINTER(sz)]),
        "proto_persistent_new": (C.c_int, [p, u64, C.POINTER(p)]),
        "proto_persistent_get": (C.c_int, [p, p, C.POINTER(u64)]),
        "proto_persistent_release": (C.c_int, [p]),
        "proto_frame_begin": (C.c_int, [p]),
        "proto_frame_end": (C.c_int, [p, C.POINTER(FrameRecord)]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    lib = load(sys.argv[1])
    failures = []

    def ok(status, what):
        if status != PROTO_OK:
            raise SystemExit(
                f"{what}: {lib.proto_status_name(status).decode()}: {lib.proto_last_error().decode()}"
            )

    def expect(cond, what):
        if not cond:
            failures.append(what)

    expect(lib.proto_abi_version() == 1, "ABI version 1")
    options = RuntimeOptions()
    lib.proto_runtime_options_init(C.byref(options))
    expect(options.size == C.sizeof(RuntimeOptions), "the options struct has the C layout")
    options.gc_trigger_bytes = 1 << 20
    rt, thread = C.c_void_p(), C.c_void_p()
    ok(lib.proto_runtime_create(C.byref(options), C.byref(rt)), "runtime_create")
    ok(lib.proto_thread_attach(rt, C.byref(thread)), "thread_attach")

    def symbol(name):
        s = C.c_uint32()
        raw = name.encode()
        ok(lib.proto_symbol_intern(rt, raw, len(raw), C.byref(s)), "symbol_intern")
        return s.value

    speed, position = symbol("speed"), symbol("position")
    attrs = (Attribute * 2)(Attribute(speed, number(2.0), 0))
    mover = C.c_uint64()
    ok(lib.proto_object_new(thread, NIL, attrs, 1, C.byref(mover)), "object_new")
    shared = C.c_void_p()
    ok(lib.proto_persistent_new(thread, mover, C.byref(shared)), "persistent_new")

    entities, cells = [], []
    for i in range(3):
        attrs[0] = Attribute(position, number(0.0), 1)
        attrs[1] = Attribute(speed, number(7.0), 0)
        e = C.c_uint64()
        ok(lib.proto_object_extend(thread, mover, attrs, 2 if i == 2 else 1, C.byref(e)), "extend")
        cell = C.c_void_p()
        ok(lib.proto_cell_of(thread, e, position, C.byref(cell)), "cell_of")
        entities.append(e.value)
        cells.append(cell)

    lookup = Lookup()
    ok(lib.proto_find(thread, entities[0], speed, C.byref(lookup)), "find")
    expect(lookup.where == 2 and as_number(lookup.value) == 2.0, "speed is inherited")
    expect(lib.proto_set(thread, entities[0], speed, number(1.0)) == PROTO_E_NOT_MUTABLE, "speed is immutable")
    expect(b"mutable" in lib.proto_last_error(), f"last error names the problem: {lib.proto_last_error()!r}")

    frames, record, value = 120, FrameRecord(), C.c_uint64()
    longest = 0.0
    for frame in range(frames):
        depth = C.c_size_t()
        ok(lib.proto_scope_open(thread, C.byref(depth)), "scope_open")
        ok(lib.proto_frame_begin(thread), "frame_begin")
        for e, cell in zip(entities, cells):
            ok(lib.proto_get(thread, e, speed, C.byref(value)), "get")
            s = as_number(value.value)
            ok(lib.proto_cell_load(thread, cell, C.byref(value)), "cell_load")
            ok(lib.proto_cell_store(thread, cell, number(as_number(value.value) + s)), "cell_store")
        text = C.c_uint64()
        ok(lib.proto_string_from_utf8(thread, b"frame ", 6, C.byref(text)), "string")
        for _ in range(200):  # garbage for the collector: dies when the scope closes
            piece = C.c_uint64()
            ok(lib.proto_string_from_utf8(thread, b"x", 1, C.byref(piece)), "string")
            ok(lib.proto_string_concat(thread, text, piece, C.byref(text)), "concat")
        ok(lib.proto_frame_end(thread, C.byref(record)), "frame_end")
        ok(lib.proto_scope_close(thread, depth), "scope_close")
        expect(record.frame == frame + 1, f"frame number {record.frame}")
        expect(abs(sum(record.stall_ms) - record.gc_pause_ms) < 1e-6, "stalls sum to the GC pause")
        longest = max(longest, record.longest_pause_ms)

    for i, e in enumerate(entities):
        ok(lib.proto_get(thread, e, position, C.byref(value)), "get position")
        expect(as_number(value.value) == (7.0 if i == 2 else 2.0) * frames, f"entity {i} position {as_number(value.value)}")

    ok(lib.proto_runtime_collect(rt), "collect")
    from_root = C.c_uint64()
    ok(lib.proto_persistent_get(thread, shared, C.byref(from_root)), "persistent_get")
    expect(from_root.value == mover.value, "the persistent holds the prototype")

    hello = C.c_uint64()
    ok(lib.proto_string_from_utf8(thread, "héllo".encode(), len("héllo".encode()), C.byref(hello)), "string")
    n = C.c_size_t()
    expect(lib.proto_string_to_utf8(hello, None, 0, C.byref(n)) == PROTO_E_BUFFER_TOO_SMALL, "asks for the size")
    buf = C.create_string_buffer(n.value + 1)
    ok(lib.proto_string_to_utf8(hello, buf, len(buf), C.byref(n)), "to_utf8")
    expect(buf.value.decode() == "héllo", f"round trip {buf.value!r}")

    stats = GcStats()
    ok(lib.proto_runtime_gc_stats(rt, C.byref(stats)), "gc_stats")
    expect(stats.cycles >= 1, f"collections ran ({stats.cycles})")
    ok(lib.proto_persistent_release(shared), "persistent_release")
    ok(lib.proto_thread_detach(thread), "detach")
    ok(lib.proto_runtime_destroy(rt), "destroy")

    if failures:
        for f in failures:
            print("FAILED:", f)
        return 1
    print(
        f"ctypes: libproto {lib.proto_version().decode()} ran {frames} frames from Python; "
        f"{stats.cycles} GC cycles, longest pause {longest:.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
