/**
 * How `StoreRegistryBackend` sets and removes labels: a mutation for its write loop that checks
 * the target versions and writes the current content again with the new labels (`labels.ts`
 * says why a move is a version).
 * @module
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import { type LabelTarget, sameTarget, targetVersions, withLabel } from "./labels.ts";
import type { WriteContext } from "./record-ext.ts";
import type { RecordStore } from "./record-store.ts";
import type { StoredRegistration } from "./registration.ts";
import { checkIfVersion, type Mutation, type RecordWriter } from "./store-writer.ts";

/**
 * `ConflictError` (naming the version) unless every version `target` names exists, is kept and
 * is active: a label names something that can be served.
 */
async function checkTargets(
  store: RecordStore,
  current: StoredRegistration,
  name: string,
  target: LabelTarget,
): Promise<void> {
  const botId = current.bot_id;
  for (const version of targetVersions(target)) {
    if (version > current.version)
      throw new ConflictError(
        `Label '${name}' cannot name version ${version} of bot '${botId}': it does not exist (the bot is at version ${current.version})`,
      );
    const record = version === current.version ? current : await store.getVersion(botId, version);
    if (!record)
      throw new ConflictError(
        `Label '${name}' cannot name version ${version} of bot '${botId}': it is no longer kept (removed by retention)`,
      );
    if (record.status !== "active")
      throw new ConflictError(
        `Label '${name}' cannot name version ${version} of bot '${botId}': it is ${record.status} (a label names an active version)`,
      );
  }
}

/** What a label write needs. */
export interface LabelWrite {
  store: RecordStore;
  writer: RecordWriter;
  botId: string;
  name: string;
  /** Where it points; `null` removes it. */
  target: LabelTarget | null;
  ifVersion: number | undefined;
  context: WriteContext | undefined;
}

/**
 * The mutation of a label write: `NotFoundError` for a missing bot (a removal writes nothing
 * instead), a stale `ifVersion` is a `ConflictError`, and nothing is written when the label
 * already points there (or, removing, is not there).
 * @example
 * await writer.write(botId, at, labelMutation({ store, writer, botId, name, target, ifVersion, context }), () => "updated");
 */
export function labelMutation(w: LabelWrite): Mutation {
  return async (current, at) => {
    if (!current) {
      if (w.target === null) return null;
      throw new NotFoundError(`Bot '${w.botId}' not found`);
    }
    checkIfVersion(w.botId, current, w.ifVersion);
    if (w.target === null) {
      if (current.ext?.labels?.[w.name] === undefined) return null;
    } else {
      if (sameTarget(current.ext, w.name, w.target)) return null;
      await checkTargets(w.store, current, w.name, w.target);
    }
    return w.writer.relabel(current, withLabel(current.ext, w.name, w.target), at, w.context);
  };
}
