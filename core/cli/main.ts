import { Command, CommanderError } from 'commander';
import { readVersion } from '../config.ts';
import { registerAuditCommands } from './audit.ts';
import { registerPackCommands } from './pack.ts';
import { registerCalendarCommands } from './calendar.ts';
import { registerDossierCommands } from './dossiers.ts';
import { registerPortalCommands } from './portal.ts';
import { migrateCommand } from './migrate.ts';
import { EXIT, intOption, reportError } from './output.ts';
import { registerRoleCommands } from './roles.ts';
import { serveCommand } from './serve.ts';
import { registerUnitCommands } from './units.ts';
import { registerUserCommands } from './users.ts';
import type { Act } from './act.ts';

export type { Act } from './act.ts';

export function buildProgram(act: Act): Command {
  const program = new Command('motcua')
    .description('motcua: one-stop administrative procedures platform. Configuration comes from the environment (README.md).')
    .version(readVersion(), '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('start the HTTP server (migrates first; seeds the first admin, or demo data with --demo)')
    .option('--demo', 'seed the demo province into a new embedded SQLite database (DEMO ONLY)')
    .option('--port <n>', 'port to listen on, 0 for any free port (default: PORT or 3000)', intOption('--port', 0, 65535))
    .option('--host <host>', 'interface to listen on (default: HOST or 127.0.0.1)')
    .action(act((o: { demo?: boolean; port?: number; host?: string }) => serveCommand(o)));

  program
    .command('migrate')
    .description('apply pending migrations of core and the enabled plugins (seeds nothing)')
    .action(act(() => migrateCommand()));

  registerUserCommands(program, act);
  registerUnitCommands(program, act);
  registerRoleCommands(program, act);
  registerAuditCommands(program, act);
  registerPackCommands(program, act);
  registerCalendarCommands(program, act);
  registerDossierCommands(program, act);
  registerPortalCommands(program, act);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs `motcua …` (argv as in process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const act: Act =
    (fn) =>
    async (...args) => {
      code = (await fn(...args)) ?? EXIT.ok;
    };
  const program = buildProgram(act);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT.refused;
    }
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are answers; every other commander complaint is a usage error.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.refused;
    }
    return reportError(e);
  }
}
