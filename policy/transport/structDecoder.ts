// Decoding the google.protobuf.Structs the engine sends (every resource's properties, in every
// Analyze and AnalyzeStack request) straight from their bytes into JavaScript.
//
// @pulumi/policy lets google-protobuf build an object tree per Struct, then converts that tree back
// to JavaScript once per policy (21 times per resource, and again per stack policy for the whole
// stack). That was a third of the pack's time. Installed in the pack's own process (policy/index.ts),
// the decoder reads each Struct once, keeps the JavaScript value, and hands it to every
// `toJavaScript()`; the protobuf tree is built only if something asks for it (getFieldsMap,
// serializeBinary, toObject). What `toJavaScript()` returns is what google-protobuf's would: the same
// values, object keys in sorted order, a fresh top-level object each call.
//
// Only the top level is fresh; nested values are shared between calls. Every reader in the pack's
// process copies them: @pulumi/policy's deserializeProperties builds each policy its own props from
// them, and its Configure, the one writer, adds a key at the top level. A deep copy per call was the
// decoder's largest cost.
import * as path from "path";

/** The Struct class the Analyzer protocol's generated messages use (google-protobuf as @pulumi/pulumi resolves it). */
function protobufStruct(): { Struct: any; Value: any } {
    const from = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
    return require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [from] }));
}

const DECODED = Symbol("torchpod.decodedStruct");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A position in a buffer: the decoding functions advance `pos`. */
interface Cursor {
    readonly buf: Buffer;
    pos: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function varint(c: Cursor): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
        if (c.pos >= c.buf.length) throw new Error("protobuf: truncated varint");
        const byte = c.buf[c.pos++];
        result += (byte & 0x7f) * scale;
        if (byte < 0x80) return result;
        scale *= 128;
    }
    throw new Error("protobuf: varint longer than 10 bytes");
}

/** The end of a length-delimited field that starts at the cursor (its length read). */
function delimitedEnd(c: Cursor, end: number): number {
    const length = varint(c);
    const fieldEnd = c.pos + length;
    if (fieldEnd > end) throw new Error("protobuf: a field runs past the end of its message");
    return fieldEnd;
}

function skip(c: Cursor, wireType: number, end: number): void {
    switch (wireType) {
        case WIRE_VARINT:
            varint(c);
            return;
        case WIRE_FIXED64:
            c.pos += 8;
            return;
        case WIRE_DELIMITED:
            c.pos = delimitedEnd(c, end);
            return;
        case WIRE_FIXED32:
            c.pos += 4;
            return;
        default:
            throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
}

const utf8 = (c: Cursor, end: number) => c.buf.toString("utf8", c.pos, end);

/** google.protobuf.Value: null_value = 1, number_value = 2, string_value = 3, bool_value = 4, struct_value = 5, list_value = 6. */
function value(c: Cursor, end: number): Json {
    let result: Json | undefined;
    while (c.pos < end) {
        const tag = varint(c);
        const field = tag >>> 3;
        const wireType = tag & 7;
        if (field === 1 && wireType === WIRE_VARINT) {
            varint(c);
            result = null;
        } else if (field === 2 && wireType === WIRE_FIXED64) {
            result = c.buf.readDoubleLE(c.pos);
            c.pos += 8;
        } else if (field === 3 && wireType === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            result = utf8(c, fieldEnd);
            c.pos = fieldEnd;
        } else if (field === 4 && wireType === WIRE_VARINT) {
            result = varint(c) !== 0;
        } else if (field === 5 && wireType === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            result = struct(c, fieldEnd);
        } else if (field === 6 && wireType === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            result = list(c, fieldEnd);
        } else {
            skip(c, wireType, end);
        }
    }
    // google-protobuf's Value.toJavaScript throws this for a Value with no kind set.
    if (result === undefined) throw new Error("Unexpected struct type");
    return result;
}

/** google.protobuf.ListValue: repeated Value values = 1. */
function list(c: Cursor, end: number): Json[] {
    const out: Json[] = [];
    while (c.pos < end) {
        const tag = varint(c);
        if (tag >>> 3 === 1 && (tag & 7) === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            out.push(value(c, fieldEnd));
        } else {
            skip(c, tag & 7, end);
        }
    }
    return out;
}

/** One entry of google.protobuf.Struct's `map<string, Value> fields = 1`: key = 1, value = 2. */
function entry(c: Cursor, end: number, into: Map<string, Json>): void {
    let key = "";
    let found: Json | undefined;
    while (c.pos < end) {
        const tag = varint(c);
        const field = tag >>> 3;
        const wireType = tag & 7;
        if (field === 1 && wireType === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            key = utf8(c, fieldEnd);
            c.pos = fieldEnd;
        } else if (field === 2 && wireType === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            found = value(c, fieldEnd);
        } else {
            skip(c, wireType, end);
        }
    }
    // A missing value is a Value with no kind, which google-protobuf cannot convert either.
    if (found === undefined) throw new Error("Unexpected struct type");
    // A repeated key: the last one wins, as in google-protobuf's map.
    into.set(key, found);
}

/** Object keys in sorted order, as google-protobuf's maps iterate. */
function sortedObject(entries: Map<string, Json>): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    for (const key of [...entries.keys()].sort()) out[key] = entries.get(key)!;
    return out;
}

/** google.protobuf.Struct: map<string, Value> fields = 1. */
function struct(c: Cursor, end: number): { [key: string]: Json } {
    const entries = new Map<string, Json>();
    while (c.pos < end) {
        const tag = varint(c);
        if (tag >>> 3 === 1 && (tag & 7) === WIRE_DELIMITED) {
            const fieldEnd = delimitedEnd(c, end);
            entry(c, fieldEnd, entries);
        } else {
            skip(c, tag & 7, end);
        }
    }
    return sortedObject(entries);
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A serialized google.protobuf.Struct as JavaScript, exactly as google-protobuf's `deserializeBinary(bytes).toJavaScript()` gives it. */
export function decodeStruct(bytes: Uint8Array): { [key: string]: Json } {
    return struct({ buf: asBuffer(bytes), pos: 0 }, bytes.byteLength);
}

let installed: (() => void) | undefined;

/**
 * Makes every google.protobuf.Struct read from the wire (by the Analyzer protocol's messages) decode
 * straight to JavaScript. Returns a function that restores google-protobuf's own decoding (for tests).
 */
export function installStructDecoder(): () => void {
    if (installed) return installed;
    const { Struct, Value } = protobufStruct();
    const original = {
        read: Struct.deserializeBinaryFromReader,
        toJavaScript: Struct.prototype.toJavaScript,
        getFieldsMap: Struct.prototype.getFieldsMap,
    };
    Struct.deserializeBinaryFromReader = function (msg: any, reader: any) {
        const entries = new Map<string, Json>();
        while (reader.nextField()) {
            if (reader.isEndGroup()) break;
            if (reader.getFieldNumber() === 1 && reader.getWireType() === WIRE_DELIMITED) {
                const bytes: Uint8Array = reader.readBytes();
                entry({ buf: asBuffer(bytes), pos: 0 }, bytes.byteLength, entries);
            } else {
                reader.skipField();
            }
        }
        msg[DECODED] = sortedObject(entries);
        return msg;
    };
    Struct.prototype.toJavaScript = function (this: any) {
        const decoded = this[DECODED];
        return decoded === undefined ? original.toJavaScript.call(this) : { ...decoded };
    };
    // Anything that reads the message as protobuf gets the tree, built once from the decoded value.
    Struct.prototype.getFieldsMap = function (this: any, noLazyCreate?: boolean) {
        const decoded = this[DECODED];
        if (decoded !== undefined) {
            delete this[DECODED];
            const map = original.getFieldsMap.call(this);
            for (const key of Object.keys(decoded)) map.set(key, Value.fromJavaScript(decoded[key]));
        }
        return original.getFieldsMap.call(this, noLazyCreate);
    };
    installed = () => {
        Struct.deserializeBinaryFromReader = original.read;
        Struct.prototype.toJavaScript = original.toJavaScript;
        Struct.prototype.getFieldsMap = original.getFieldsMap;
        installed = undefined;
    };
    return installed;
}
