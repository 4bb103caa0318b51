import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import type { FormNo } from '../dossiers/forms/view-models.ts';
import { withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { out } from './output.ts';
import { showDossier } from './dossier-show.ts';

/** `motcua dossier form <code> <no> --out file.html`: a statutory form of a dossier, as the API renders it. */
export function registerDossierCommands(program: Command, act: Act): void {
  const dossier = program
    .command('dossier')
    .description('dossiers: show one, print their statutory forms (an operator at the server reaches every unit)');

  dossier
    .command('show <code>')
    .description("a dossier's key fields, components and status history, in Vietnamese")
    .action(
      act(async (code: string) => {
        const view = await withPlatform((p) => p.services.dossiers.getAsOperator(code));
        for (const line of showDossier(view)) out(line);
      }),
    );

  dossier
    .command('form <code> <no>')
    .description('write form <no> (01 receipt and appointment slip, 02 supplement request, 03 refusal) of a dossier as printable HTML')
    .requiredOption('--out <file>', "the HTML file to write (its stylesheet is the server's /assets/forms.css)")
    .action(
      act(async (code: string, no: string, o: { out: string }) => {
        if (!/^0?[1-7]$/.test(no)) throw new AppError('request.invalid', `Form "${no}" is not a form number from 01 to 07`);
        const html = await withPlatform((p) => p.services.dossierForms.renderAsOperator(code, no.padStart(2, '0') as FormNo));
        writeFileSync(o.out, html);
        out(`form ${no.padStart(2, '0')} of ${code} written to ${o.out}`);
      }),
    );
}
