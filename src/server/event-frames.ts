/**
 * The wire frames of one event, built once per event and shared by every client (500 clients of
 * one 64 KiB event hold one 64 KiB frame, not 500), and safe by construction: the SSE `id:` field
 * is written only for ids of the one grammar ({@link EVENT_ID_PATTERN}), and everything else goes
 * through `JSON.stringify`, which escapes CR and LF, so no value can start a field of its own.
 * @module
 */
import { EVENT_ID_PATTERN, type Event } from "../core/events/event.ts";

const encoder = new TextEncoder();
const sseFrames = new WeakMap<Event, Uint8Array>();
const socketFrames = new WeakMap<Event, { text: string; bytes: number }>();

/**
 * The Server-Sent Events message of `event`: `id: <event_id>` (only when the id follows
 * {@link EVENT_ID_PATTERN}; an event from elsewhere with another id still goes out, with its id
 * in the data only) and `data: <JSON>`.
 * @example
 * controller.enqueue(sseFrame(event));
 */
export function sseFrame(event: Event): Uint8Array {
  let frame = sseFrames.get(event);
  if (frame === undefined) {
    const id = EVENT_ID_PATTERN.test(event.eventId) ? `id: ${event.eventId}\n` : "";
    frame = encoder.encode(`${id}data: ${JSON.stringify(event.toDict())}\n\n`);
    sseFrames.set(event, frame);
  }
  return frame;
}

/**
 * The WebSocket text frame of `event` (`{"kind":"event","event":{…}}`).
 * @example
 * ws.send(socketFrame(event));
 */
export function socketFrame(event: Event): string {
  return socketEntry(event).text;
}

/**
 * The UTF-8 size of {@link socketFrame}'s frame, in bytes (what a socket's `bufferedAmount`
 * counts), worked out once per event.
 * @example
 * if (socket.bufferedAmount + socketFrameBytes(event) > limit) dropSlowClient();
 */
export function socketFrameBytes(event: Event): number {
  return socketEntry(event).bytes;
}

function socketEntry(event: Event): { text: string; bytes: number } {
  let entry = socketFrames.get(event);
  if (entry === undefined) {
    const text = JSON.stringify({ kind: "event", event: event.toDict() });
    entry = { text, bytes: utf8Length(text) };
    socketFrames.set(event, entry);
  }
  return entry;
}

/**
 * The UTF-8 length of `text`, in bytes, without encoding it (a lone surrogate counts 3, as
 * `TextEncoder` writes U+FFFD for it).
 * @example
 * utf8Length("é€😀"); // 9
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2; // four bytes for the two units
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * What `event` weighs on the wire, in bytes (its SSE frame), for byte budgets.
 * @example
 * if (eventBytes(event) > maxEventBytes) skip(event);
 */
export function eventBytes(event: Event): number {
  return sseFrame(event).byteLength;
}
