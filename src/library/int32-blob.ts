// Arrays of int32s stored as BLOBs (track-albums.ts, track-artists.ts): little-endian on disk
// whatever the machine, so a database moves between machines as it is.
import os from 'node:os'

/** The BLOB's int32s, copied out to an aligned buffer of our own. */
export function int32sOfBlob (blob: Buffer): Int32Array {
  const bytes = Buffer.from(blob)
  if (os.endianness() === 'BE') bytes.swap32()
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
}

/** The BLOB of `a`. It never swaps `a` in place: the caller may go on using it. */
export function blobOfInt32s (a: Int32Array): Buffer {
  const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  return os.endianness() === 'BE' ? Buffer.from(bytes).swap32() : bytes
}
