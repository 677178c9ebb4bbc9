// Text read from a file, made safe to put in a one-line error message:
// control characters (a newline would split the message, and the CLI
// prints only its first line), other non-printing code points and bytes
// outside printable ASCII are shown as escapes, and long text is cut.

const MAX_CHARS = 80;

/** `text` with every non-printing character escaped (\n, \xNN, \uNNNN) and cut to a readable length. */
export function printable(text: string, max = MAX_CHARS): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\ufffd\\]/gu, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Bytes that should be ASCII (a chunk type, a magic), printable characters as they are and every other byte as \xNN. */
export function printableBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}
