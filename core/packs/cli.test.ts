import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestDatabase, testDialect, type TestDatabase } from '../../tests/support/platform.ts';
import { runMotcua as motcua } from '../../tests/support/cli.ts';
import { fixtureFiles, placeholderDeclarations, procedure } from '../../tests/support/test-packs.ts';

const dialect = testDialect();

describe(`motcua pack (${dialect})`, { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'motcua-pack-cli-'));
    // A pack source directory like procedures/base, with a README that is not packed.
    const src = join(dir, 'src');
    const files = fixtureFiles({
      procedures: [procedure('9.000001', 'p-one'), procedure('9.000002', 'p-two')],
      extraFiles: { 'calendars/2026.json': '{"year":2026}\n' },
    });
    for (const [path, data] of files) {
      mkdirSync(join(src, dirname(path)), { recursive: true });
      writeFileSync(join(src, path), data);
    }
    writeFileSync(join(src, 'README.md'), '# not packed\n');
    writeFileSync(
      join(src, 'pack.json'),
      JSON.stringify({
        id: 'vn.test.cli',
        name: 'Gói thử CLI',
        version: '1.0.0',
        sequence: 3,
        publisher: { name: 'Tỉnh Thử', province: 'TT' },
        placeholders: placeholderDeclarations,
      }),
    );
    writeFileSync(
      join(dir, 'mapping.json'),
      JSON.stringify({ '{{agency:justice}}': 'TT.STP', '{{role:civil-status}}': 'specialist', '{{fee:copy}}': 5000 }),
    );
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keygen writes a 0600 private key and a public key and prints the key id', async () => {
    const r = await motcua(db, ['pack', 'keygen', '--out', join(dir, 'keys')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^key id [0-9a-f]{16}$/m);
    expect(statSync(join(dir, 'keys', 'pack.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'keys', 'pack.pub'), 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect((await motcua(db, ['pack', 'keygen', '--out', join(dir, 'keys')])).code).toBe(2);
  });

  it('build signs a source directory; verify checks it with the public key', async () => {
    const built = await motcua(db, [
      'pack',
      'build',
      join(dir, 'src'),
      '--key',
      join(dir, 'keys', 'pack.key'),
      '--out',
      join(dir, 'cli.zip'),
    ]);
    expect(built.stderr).toBe('');
    expect(built.stdout).toContain('pack vn.test.cli 1.0.0 sequence 3: 7 files');
    const ok = await motcua(db, ['pack', 'verify', join(dir, 'cli.zip'), '--key', join(dir, 'keys', 'pack.pub')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ok: vn.test.cli 1.0.0 sequence 3, 7 files');
    expect(ok.stdout).toContain('placeholders to map: {{agency:justice}}, {{role:civil-status}}, {{fee:copy}}');
    await motcua(db, ['pack', 'keygen', '--out', join(dir, 'other')]);
    const wrong = await motcua(db, ['pack', 'verify', join(dir, 'cli.zip'), '--key', join(dir, 'other', 'pack.pub')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error pack.bad_signature: /);
  });

  it('verify answers not ok for an expired pack, as import refuses it', async () => {
    const src = join(dir, 'src');
    const descriptor = readFileSync(join(src, 'pack.json'), 'utf8');
    const expired = { ...JSON.parse(descriptor), id: 'vn.test.expired', expiresAt: '2020-01-01T00:00:00Z' };
    writeFileSync(join(src, 'pack.json'), JSON.stringify(expired));
    try {
      const built = await motcua(db, ['pack', 'build', src, '--key', join(dir, 'keys', 'pack.key'), '--out', join(dir, 'expired.zip')]);
      expect(built.code).toBe(0);
    } finally {
      writeFileSync(join(src, 'pack.json'), descriptor);
    }
    const r = await motcua(db, ['pack', 'verify', join(dir, 'expired.zip'), '--key', join(dir, 'keys', 'pack.pub')]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/^ok/m);
    expect(r.stderr).toMatch(/^error pack.expired: Pack vn.test.expired 1.0.0 expired at 2020-01-01T00:00:00Z/);
  });

  it('import refuses an untrusted key, then after trust prints a dry-run table and imports', async () => {
    expect((await motcua(db, ['unit', 'add', 'TT', '--name', 'Tỉnh Thử', '--level', 'province'])).code).toBe(0);
    expect((await motcua(db, ['unit', 'add', 'TT.STP', '--name', 'Sở Tư pháp', '--level', 'department', '--parent', 'TT'])).code).toBe(0);
    const untrusted = await motcua(db, ['pack', 'import', join(dir, 'cli.zip'), '--map', join(dir, 'mapping.json')]);
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/^error pack.untrusted_key: /);
    const trusted = await motcua(db, ['pack', 'trust', join(dir, 'keys', 'pack.pub'), '--publisher', 'Tỉnh Thử', '--province', 'TT']);
    expect(trusted.stdout).toMatch(/^trusted key [0-9a-f]{16} of Tỉnh Thử \(TT\)$/m);
    const dry = await motcua(db, ['pack', 'import', join(dir, 'cli.zip'), '--map', join(dir, 'mapping.json'), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was changed');
    // The dry run lists what it would store and what it carries without applying.
    const dryLines = dry.stdout.split('\n');
    expect(dryLines).toContain('9.000001  new      1        Thủ tục thử 9.000001');
    expect(dryLines).toContain('forms: forms/to-khai.txt (new)');
    expect(dryLines).toContain('templates: templates/ket-qua.hbs (new)');
    expect(dryLines).toContain('skipped (carried, not applied): calendars/2026.json');
    const real = await motcua(db, ['pack', 'import', join(dir, 'cli.zip'), '--map', join(dir, 'mapping.json')]);
    expect(real.code).toBe(0);
    const lines = real.stdout.split('\n');
    expect(lines).toContain('code      outcome  version  name');
    expect(lines).toContain('9.000001  new      1        Thủ tục thử 9.000001');
    expect(lines).toContain('9.000002  new      1        Thủ tục thử 9.000002');
    expect(real.stdout).toContain('procedures: 2 new, 0 updated, 0 unchanged; process definitions deployed: 2 (p-one v1, p-two v1)');
    expect(real.stdout).toContain('{{fee:copy}} → 5000');
    // No progress bar when stderr is not a terminal.
    expect(real.stderr).toBe('');
    expect((await motcua(db, ['pack', 'import', join(dir, 'cli.zip'), '--map', join(dir, 'mapping.json')])).stdout).toContain(
      'already installed',
    );
    const list = await motcua(db, ['pack', 'list']);
    expect(list.stdout).toMatch(/^vn\.test\.cli\s+1\.0\.0\s+3\s+Tỉnh Thử \[[0-9a-f]{16}\]/m);
  });

  it('export writes a signed pack of the catalogue that verifies against the trusted keys', async () => {
    const r = await motcua(db, [
      'pack',
      'export',
      '9.000002',
      '--key',
      join(dir, 'keys', 'pack.key'),
      '--out',
      join(dir, 'export.zip'),
      '--id',
      'vn.test.export',
      '--publisher',
      'Tỉnh Thử',
      '--province',
      'TT',
      '--sequence',
      '5',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pack vn.test.export 1.0.0 sequence 5: 1 procedures, 4 files');
    const v = await motcua(db, ['pack', 'verify', join(dir, 'export.zip')]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('ok: vn.test.export');
  });
});
