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
const socketFrames = new WeakMap<Event, string>();

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
  let frame = socketFrames.get(event);
  if (frame === undefined) {
    frame = JSON.stringify({ kind: "event", event: event.toDict() });
    socketFrames.set(event, frame);
  }
  return frame;
}

/**
 * What `event` weighs on the wire, in bytes (its SSE frame), for byte budgets.
 * @example
 * if (eventBytes(event) > maxEventBytes) skip(event);
 */
export function eventBytes(event: Event): number {
  return sseFrame(event).byteLength;
}
