// Text that came from files (names, cells) on its way to a terminal or a log: control characters
// are shown as escapes, so a file name or a cell cannot move the cursor, recolour or retitle the
// terminal, or reorder what is shown (bidirectional overrides, the "Trojan Source" trick).

// C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates (matching
// control characters is this module's job).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
// What JSON.stringify leaves raw (it escapes C0 controls itself).
const JSON_RAW = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function escape (ch: string): string {
  const code = ch.charCodeAt(0)
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** One value on one line: every control character escaped, line breaks included. */
export function printable (s: string): string {
  return s.replace(CONTROL, escape)
}

/** Output already laid out in lines: every control character escaped but the line breaks. */
export function terminalSafe (text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escape)
}

/** JSON for a terminal: still valid JSON, with no raw control character left in any string. */
export function terminalJson (value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(JSON_RAW, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`
}
