/**
 * botknobs for Node (and Deno/Bun through their Node compatibility): file-system helpers now;
 * the file, SQLite and PostgreSQL registry backends, the file knowledge backend and the Redis and
 * PostgreSQL event buses join this entry as they land.
 * @module
 */
export { loadEnvironment, readTextFile } from "./node-environment.ts";
