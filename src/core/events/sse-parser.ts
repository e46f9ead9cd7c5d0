/**
 * An incremental Server-Sent Events parser (the WHATWG "event stream interpretation"): bytes in,
 * complete messages out, whatever the chunking and line endings (`\n`, `\r\n`, `\r`).
 * @module
 */

/** One dispatched SSE message. */
export interface SseMessage {
  /** The `event:` field, `"message"` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen (it persists across messages, as in `EventSource`). */
  id: string | null;
  /** A `retry:` value in ms, when this message carried one. */
  retry?: number;
}

/**
 * Feeds chunks of an event stream and returns the messages they complete.
 * @example
 * const parser = new SseParser();
 * parser.push(new TextEncoder().encode("data: hi\n\n")); // [{ event: "message", data: "hi", id: null }]
 */
export class SseParser {
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | null = null;
  #retry: number | undefined;
  #started = false;
  // The last chunk ended with CR: an LF starting the next one belongs to it (CRLF).
  #skipLf = false;

  /** Parses a chunk; returns the messages completed by it. */
  push(chunk: Uint8Array): SseMessage[] {
    let text = this.#buffer + this.#decoder.decode(chunk, { stream: true });
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipLf && text.startsWith("\n")) text = text.slice(1);
    this.#skipLf = false;
    const out: SseMessage[] = [];
    let start = 0;
    for (;;) {
      const lf = text.indexOf("\n", start);
      const cr = text.indexOf("\r", start);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) break;
      let next = end + 1;
      if (text[end] === "\r") {
        if (end === text.length - 1) this.#skipLf = true;
        else if (text[end + 1] === "\n") next = end + 2;
      }
      this.#line(text.slice(start, end), out);
      start = next;
    }
    this.#buffer = text.slice(start);
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === "") {
      if (this.#data.length > 0) {
        const message: SseMessage = {
          event: this.#event || "message",
          data: this.#data.join("\n"),
          id: this.#id,
        };
        if (this.#retry !== undefined) message.retry = this.#retry;
        out.push(message);
      }
      this.#data = [];
      this.#event = "";
      this.#retry = undefined;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.#retry = Number(value);
  }
}
