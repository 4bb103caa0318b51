import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/verify.ts';
import { withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { EXIT, out } from './output.ts';

export function registerAuditCommands(program: Command, act: Act): void {
  const audit = program.command('audit').description('the hash-chained audit trail');

  audit
    .command('verify')
    .description('recompute the whole chain; exit 1 if any record was edited, deleted, reordered or added outside the audit log')
    .action(
      act(async () => {
        const result = await withPlatform((p) => verifyAuditChain(p.services.db.em()));
        const several = result.heads.length > 1;
        if (result.ok) {
          if (!several) {
            out(`audit chain OK: ${result.records} records, head ${result.headSeq} ${result.headHash}`);
            return EXIT.ok;
          }
          // Several chains (ADR 0003): each head is worth anchoring elsewhere.
          out(`audit chain OK: ${result.records} records in ${result.heads.length} chains`);
          for (const h of result.heads) out(`  chain ${String(h.chain).padStart(3)}  head ${h.seq} ${h.hash}`);
          return EXIT.ok;
        }
        out(`audit chain BROKEN: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${result.records} records`);
        for (const p of result.problems)
          out(
            `  ${p.problem.padEnd(9)}  ${several ? `chain ${p.chain} ` : ''}seq ${p.seq}${p.id !== undefined ? ` (id ${p.id})` : ''}: ${p.detail}`,
          );
        return EXIT.failed;
      }),
    );
}
