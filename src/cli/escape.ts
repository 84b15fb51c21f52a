/**
 * Model-derived text on a terminal: an export controls its names, tags, keys, PrintV2 text and file names, and a
 * raw ESC, BEL or CR in them could set the window title, clear the screen or forge lines. `escapeControl` writes
 * one such string with its control characters visible; `cleanOutput` is the last line of defence for everything a
 * command prints (text or JSON), applied once in main.ts.
 */

/** C0 controls (newline and tab included), DEL, C1 controls, line/paragraph separators, bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, except newline and tab (the CLI's own layout) and backspace (saved_model_cli's "\b\b]" quirk). */
const CONTROL_IN_OUTPUT = /[\u0000-\u0007\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e", "\x07": "\\a" };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
}

/** One model-derived string with every control character (newline included) written as a visible escape. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, visible);
}

/**
 * Everything a command prints: control characters other than newline, tab and backspace become visible escapes
 * (text) or \u escapes (JSON: they can only occur inside JSON strings there, so the JSON stays valid and equal).
 */
export function cleanOutput(text: string, json: boolean): string {
  return text.replace(CONTROL_IN_OUTPUT, (c) =>
    json ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : visible(c),
  );
}
