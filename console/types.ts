// The wire forms the console reads (snake_case, as the API sends them) and what views share.
import type { Schema } from "./schema.ts";

/** A label's share of a split. */
export interface Share {
  version: number;
  percent: number;
}

/** A registration (a bot at one version), as `GET /bots/{id}` and the listings answer it. */
export interface Registration {
  bot_id: string;
  config: Record<string, unknown>;
  status: string;
  version: number;
  etag: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  ext?: {
    labels?: Record<string, number>;
    splits?: Record<string, Share[]>;
    write_context?: { actor: string; reason?: string };
  };
}

/** `GET /bots/{id}/labels`. */
export interface BotLabels {
  bot_id: string;
  version: number;
  status: string;
  labels: Record<string, { version: number; split?: Share[] }>;
}

/** An event of the stream (`GET /events`). */
export interface BusEvent {
  type: string;
  topic: string;
  payload: Record<string, unknown>;
  timestamp: string;
  event_id: string;
  source?: string | null;
}

/** What a view gets: the event feed and the server's request schemas. */
export interface ViewContext {
  /** Calls `listener` with each event of the live feed until the returned function is called. */
  onEvent(listener: (event: BusEvent) => void): () => void;
  /** The request-body schemas of `/openapi.json` (`null` when it cannot be read). */
  schemas(): Promise<Record<string, Schema> | null>;
}

/**
 * What a section of a view is given: `changed` reloads the view after a write and has the new
 * section's status line say `said` (the text of what was done, kept across the reload).
 */
export interface SectionHooks {
  changed(said: string): Promise<void>;
  said: string | undefined;
}

/** A view: renders into `main`, returns what to do when it is left. */
export type View = (main: HTMLElement, ctx: ViewContext) => Promise<(() => void) | undefined>;
