import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError } from '../errors.ts';
import { checkNotExpired } from '../packs/checks.ts';
import { exportFiles } from '../packs/exporter.ts';
import { systemClock } from '../clock.ts';
import { importPack, type ImportReport } from '../packs/importer.ts';
import { parseJsonFile, placeholderMapping, type PlaceholderMapping } from '../packs/manifest.ts';
import { buildPack, claimedKeyId, openPack, signPack, verifyPack } from '../packs/pack.ts';
import { generatePackKeys, loadPrivateKey, loadPublicKey } from '../packs/signing.ts';
import { readPackSource } from '../packs/source.ts';
import { listInstalled, trustKey, trustedKey } from '../packs/store.ts';
import { cliActing } from '../org/actor.ts';
import { inTransaction, withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { EXIT, err, intOption, out, table } from './output.ts';

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new AppError('request.invalid', `Cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writeOut(path: string, data: Buffer): void {
  writeFileSync(path, data);
  out(`wrote ${path} (${data.length} bytes)`);
}

const privateKey = (path: string) => loadPrivateKey(readFile(path, 'the private key').toString('utf8'));

/** The summary an operator reads after an import: one line per procedure, then the counts. */
export function reportLines(r: ImportReport): string[] {
  const head =
    r.status === 'dry_run'
      ? 'dry run: nothing was changed'
      : r.status === 'already_installed'
        ? 'already installed: nothing to do'
        : 'installed';
  const lines = [
    `pack ${r.pack.id} ${r.pack.version} (sequence ${r.pack.sequence}) by ${r.pack.publisher.name} [${r.pack.publisher.keyId}]: ${head}`,
  ];
  if (r.status === 'already_installed') return lines;
  lines.push(
    '',
    ...table(
      ['code', 'outcome', 'version', 'name'],
      r.procedures.map((p) => [p.code, p.outcome, String(p.version), p.name]),
    ),
  );
  const deployed = r.diagrams.flatMap((d) => d.definitions).filter((d) => d.outcome === 'new');
  lines.push(
    '',
    `procedures: ${r.counts.new} new, ${r.counts.updated} updated, ${r.counts.unchanged} unchanged; process definitions deployed: ${deployed.length}${deployed.length ? ` (${deployed.map((d) => `${d.key} v${d.version}`).join(', ')})` : ''}`,
  );
  for (const d of r.diagrams) for (const w of d.warnings) lines.push(`warning ${d.file}: ${w}`);
  if (r.placeholders.length) lines.push(`placeholders: ${r.placeholders.map((p) => `${p.token} → ${p.mappedTo ?? '?'}`).join(', ')}`);
  const assets = (folder: string) =>
    r.assets
      .filter((a) => a.file.startsWith(folder))
      .map((a) => `${a.file} (${a.outcome})`)
      .join(', ') || 'none';
  lines.push(`forms: ${assets('forms/')}`, `templates: ${assets('templates/')}`);
  if (r.statutoryForms.length)
    lines.push(
      `statutory forms: ${r.statutoryForms
        .map((f) => `${f.form} under ${f.legalBasis}${f.effectiveFrom ? ` from ${f.effectiveFrom}` : ''} (${f.outcome})`)
        .join(', ')}`,
    );
  lines.push(`skipped (carried, not applied): ${r.skipped.join(', ') || 'none'}`);
  return lines;
}

function progressBar(): { update: (done: number, total: number, step: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'importing [{bar}] {value}/{total} {step}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, step) {
      if (!started) bar.start(total, 0, { step });
      started = true;
      bar.update(done, { step });
    },
    stop: () => started && bar.stop(),
  };
}

export function registerPackCommands(program: Command, act: Act): void {
  const pack = program.command('pack').description('signed procedure packs (docs/pack-format.md)');

  pack
    .command('keygen')
    .description('make an Ed25519 key pair to sign packs: <name>.key (private, mode 0600) and <name>.pub')
    .option('--out <dir>', 'directory to write into', '.')
    .option('--name <name>', 'file name without extension', 'pack')
    .action(
      act(async (o: { out: string; name: string }) => {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(o.name))
          throw new AppError('request.invalid', '--name: letters, digits, dot, dash or underscore');
        mkdirSync(o.out, { recursive: true });
        const keyFile = join(o.out, `${o.name}.key`);
        const pubFile = join(o.out, `${o.name}.pub`);
        for (const f of [keyFile, pubFile])
          if (existsSync(f)) throw new AppError('request.invalid', `${f} exists: keys are never overwritten`);
        const keys = generatePackKeys();
        writeFileSync(keyFile, keys.privateKeyPem, { mode: 0o600 });
        chmodSync(keyFile, 0o600);
        writeFileSync(pubFile, keys.publicKeyPem);
        out(`key id ${keys.keyId}`);
        out(`private key ${keyFile} (keep it secret; mode 0600)`);
        out(`public key ${pubFile} (give it to importers with the key id)`);
      }),
    );

  pack
    .command('build <sourceDir>')
    .description('build and sign a pack from a source directory with pack.json (e.g. procedures/base)')
    .requiredOption('--key <file>', 'private key (PEM)')
    .requiredOption('--out <file>', 'zip to write')
    .action(
      act(async (dir: string, o: { key: string; out: string }) => {
        const { source, files } = readPackSource(resolve(dir));
        const { zip, manifest } = await buildPack(source, files, privateKey(o.key), new Date());
        writeOut(o.out, zip);
        out(
          `pack ${manifest.id} ${manifest.version} sequence ${manifest.sequence}: ${manifest.files.length} files, signed by ${manifest.publisher.keyId}`,
        );
      }),
    );

  pack
    .command('export [codes...]')
    .description('export published procedures (the codes named, or all) with their diagrams, forms and templates as a signed pack')
    .requiredOption('--key <file>', 'private key (PEM)')
    .requiredOption('--out <file>', 'zip to write')
    .requiredOption('--id <id>', 'pack id, e.g. vn.bac-ninh.export')
    .requiredOption('--publisher <name>', 'publisher name')
    .requiredOption('--province <code>', 'province code')
    .option('--name <name>', 'pack name', 'Danh mục thủ tục hành chính (xuất)')
    .option('--pack-version <semver>', 'pack version', '1.0.0')
    .option('--sequence <n>', 'sequence (default: seconds since 1970, which grows)', intOption('--sequence', 1, Number.MAX_SAFE_INTEGER))
    .action(
      act(
        async (
          codes: string[],
          o: {
            key: string;
            out: string;
            id: string;
            publisher: string;
            province: string;
            name: string;
            packVersion: string;
            sequence?: number;
          },
        ) => {
          const key = privateKey(o.key);
          const files = await withPlatform(async (p) => (await exportFiles(p.services, p.services.db.em(), codes)).files);
          const now = new Date();
          const header = {
            id: o.id,
            name: o.name,
            version: o.packVersion,
            sequence: o.sequence ?? Math.floor(now.getTime() / 1000),
            publisher: { name: o.publisher, province: o.province },
          };
          const { zip, manifest } = await buildPack(header, files, key, now);
          writeOut(o.out, zip);
          out(
            `pack ${manifest.id} ${manifest.version} sequence ${manifest.sequence}: ${[...files.keys()].filter((f) => f.startsWith('procedures/')).length} procedures, ${manifest.files.length} files`,
          );
        },
      ),
    );

  pack
    .command('sign <file>')
    .description('sign a pack (e.g. an export from the API) with your key; the file list is recomputed')
    .requiredOption('--key <file>', 'private key (PEM)')
    .option('--out <file>', 'zip to write (default: replace <file>)')
    .action(
      act(async (file: string, o: { key: string; out?: string }) => {
        const { zip, manifest } = await signPack(readFile(file, 'the pack'), privateKey(o.key));
        writeOut(o.out ?? file, zip);
        out(`signed by ${manifest.publisher.keyId}`);
      }),
    );

  pack
    .command('verify <file>')
    .description('check a pack: signature (with --key, or a key trusted in the database), manifest, file hashes, not expired')
    .option('--key <file>', "public key (PEM); without it the database's trusted keys are used")
    .action(
      act(async (file: string, o: { key?: string }) => {
        const opened = await openPack(readFile(file, 'the pack'));
        const key = o.key
          ? loadPublicKey(readFile(o.key, 'the public key').toString('utf8'))
          : await withPlatform(async (p) => {
              const keyId = opened.signature === null ? null : claimedKeyId(opened);
              const found = keyId ? await trustedKey(p.services.db.em(), keyId) : null;
              if (keyId && !found)
                throw new AppError('pack.untrusted_key', `Key ${keyId} is not trusted here (give --key, or motcua pack trust)`);
              return found;
            });
        if (!key) throw new AppError('pack.bad_signature', 'The pack has no manifest.sig: it is not signed');
        const { manifest, manifestHash } = verifyPack(opened, key);
        // Signature and files may be intact, yet the import would refuse it: so does verify.
        checkNotExpired(manifest, systemClock.now());
        out(`ok: ${manifest.id} ${manifest.version} sequence ${manifest.sequence}, ${manifest.files.length} files`);
        out(
          `publisher ${manifest.publisher.name} (${manifest.publisher.province}), key ${manifest.publisher.keyId}, created ${manifest.createdAt}${manifest.expiresAt ? `, expires ${manifest.expiresAt}` : ''}`,
        );
        out(`manifest sha256 ${manifestHash}`);
        if (manifest.placeholders.length) out(`placeholders to map: ${manifest.placeholders.map((p) => p.token).join(', ')}`);
      }),
    );

  pack
    .command('import <file>')
    .description('verify and import a pack in one transaction; --dry-run reports and changes nothing')
    .option('--dry-run', 'report what would change, change nothing')
    .option('--map <file>', 'placeholder mapping (JSON: token → unit code, role or fee)')
    .action(
      act(async (file: string, o: { dryRun?: boolean; map?: string }) => {
        const zip = readFile(file, 'the pack');
        const mapping: PlaceholderMapping = o.map
          ? parseJsonFile(placeholderMapping, readFile(o.map, 'the mapping'), o.map, 'pack.mapping_invalid')
          : {};
        const bar = progressBar();
        let report: ImportReport;
        try {
          report = await withPlatform((p) =>
            importPack(p.services, cliActing(), { zip, mapping, dryRun: !!o.dryRun, onProgress: bar.update }),
          );
        } finally {
          bar.stop();
        }
        for (const line of reportLines(report)) out(line);
      }),
    );

  pack
    .command('trust <publicKeyFile>')
    .description('trust a publisher key (check its key id with the publisher first)')
    .requiredOption('--publisher <name>', 'publisher name')
    .requiredOption('--province <code>', 'province code')
    .action(
      act(async (file: string, o: { publisher: string; province: string }) => {
        const pem = readFile(file, 'the public key').toString('utf8');
        const key = await inTransaction((svc, em, acting) =>
          trustKey(svc, em, acting, { publicKey: pem, publisherName: o.publisher, province: o.province }),
        );
        out(`trusted key ${key.keyId} of ${key.publisherName} (${key.province})`);
      }),
    );

  pack
    .command('list')
    .description('installed packs')
    .action(
      act(async () => {
        const rows = await withPlatform((p) => listInstalled(p.services.db.em()));
        if (rows.length === 0) {
          err('no pack installed');
          return EXIT.ok;
        }
        for (const line of table(
          ['id', 'version', 'sequence', 'publisher', 'installed at'],
          rows.map((r) => [r.packId, r.version, String(r.sequence), `${r.publisher.name} [${r.publisher.keyId}]`, r.installedAt]),
        ))
          out(line);
      }),
    );
}
