import type { Orm } from "./orm.ts";
import { Meta } from "./entities.ts";

/** Small node-wide facts (`meta`): whether seeds were loaded, the last version sent, … */
export interface MetaStore {
  /** The value under `key`, or null. */
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value`, replacing any value it had. */
  set(key: string, value: string): Promise<void>;
}

/** The meta store over the node's database. */
export function createMetaStore(orm: Pick<Orm, "em">): MetaStore {
  return {
    async get(key) {
      return (await orm.em.fork().findOne(Meta, { key }))?.value ?? null;
    },
    async set(key, value) {
      await orm.em
        .getKnex()
        .raw("insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value", [
          key,
          value,
        ]);
    },
  };
}
