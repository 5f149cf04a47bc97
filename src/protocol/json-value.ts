/**
 * A value decoded from a binary codec (`--decode msgpack|cbor`) written as JSON text, for pretty mode's
 * layout, pipe mode and the JSON stream alike. Pure.
 */

/**
 * A value decoded from MessagePack or CBOR as JSON text: integers of any size written exactly (the
 * decoders give big ones as bigint), byte strings as `{"$bytes":"<base64>"}`, maps with other keys
 * than strings with their keys written as JSON text, dates as ISO strings, CBOR tags as
 * `{"$tag":n,"value":…}`, NaN and the infinities as strings.
 */
export function toJsonText(value: unknown, depth = 0): string {
  if (depth > 1000) return '"…"';
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return JSON.stringify(String(value));
  }
  if (value instanceof Uint8Array) {
    return `{"$bytes":${JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))}}`;
  }
  if (value instanceof Date)
    return JSON.stringify(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, depth + 1)).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(
      ([k, v]) => `${JSON.stringify(typeof k === 'string' ? k : toJsonText(k, depth + 1))}:${toJsonText(v, depth + 1)}`,
    );
    return `{${entries.join(',')}}`;
  }
  if (value instanceof Set) return toJsonText([...value], depth);
  const tagged = value as { tag?: unknown; value?: unknown };
  if (value.constructor?.name === 'Tag' && typeof tagged.tag === 'number') {
    return `{"$tag":${tagged.tag},"value":${toJsonText(tagged.value, depth + 1)}}`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v, depth + 1)}`);
  return `{${entries.join(',')}}`;
}
