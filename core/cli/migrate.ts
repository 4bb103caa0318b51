import { core } from '../modules/index.ts';
import { migrate, openDatabase } from '../db/database.ts';
import { PluginHost } from '../plugin-host/host.ts';
import { describeDatabase } from './banner.ts';
import { cliSetup } from './context.ts';
import { EXIT, out } from './output.ts';

/** Applies pending migrations of core and the enabled plugins; seeds nothing. */
export async function migrateCommand(): Promise<number> {
  const { config, plugins } = await cliSetup();
  const host = PluginHost.resolve(plugins, config.version, config.pluginConfig, core);
  const db = await openDatabase(config, {
    entities: [...core.entities, ...host.entities()],
    migrations: [...core.migrations, ...host.migrations()],
  });
  try {
    const applied = await migrate(db);
    const where = describeDatabase(config);
    if (applied.length === 0) {
      out(`${where}: up to date, nothing to apply`);
    } else {
      out(`${where}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}`);
      for (const name of applied) out(`  ${name}`);
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
