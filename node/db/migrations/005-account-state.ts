import { Migration } from "@mikro-orm/migrations";

/** Web logins an admin has disabled: they keep their history but can no longer log in. */
export class Migration005AccountState extends Migration {
  override up(): void {
    this.addSql("alter table users add column disabled_at text null");
  }
}
