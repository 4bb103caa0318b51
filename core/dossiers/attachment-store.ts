import type { EntityManager } from '@mikro-orm/knex';
import { sql } from '../db/sql.ts';

/**
 * Where the bytes of attachments live, addressed by their SHA-256. Every call takes the
 * transaction that records the metadata, so a store in the database commits the bytes with their
 * row or not at all. Another store (an object store) would write its objects under the same
 * address and may ignore the transaction; only the database store exists today.
 */
export interface AttachmentStore {
  /** Keeps `bytes` under `sha256`; storing bytes already kept is a no-op, also when two uploads race. */
  put(em: EntityManager, sha256: string, bytes: Buffer, at: Date): Promise<void>;
  /** The bytes kept under `sha256`, or null. */
  get(em: EntityManager, sha256: string): Promise<Buffer | null>;
  /** Forgets the bytes once no attachment refers to them any more. */
  release(em: EntityManager, sha256: string): Promise<void>;
}

/**
 * The store of a stateless cluster: one row of `dossier_attachment_blobs` per distinct content
 * (bytea / blob), shared by every node through the database.
 *
 * Concurrency (PostgreSQL, read committed): `put` is an upsert that updates the existing row, so
 * it takes the row's lock; `release` takes the same lock before it looks for references. Two
 * uploads of the same new bytes: the second waits on the first's key, then finds the row. An
 * upload and the removal of the last attachment with those bytes: whichever locks first goes
 * first; the removal's reference check then runs on a fresh snapshot, so it never deletes bytes a
 * committed upload refers to, and an upload after a committed removal inserts them again.
 * SQLite has one writer: transactions never interleave.
 */
export class DatabaseAttachmentStore implements AttachmentStore {
  async put(em: EntityManager, sha256: string, bytes: Buffer, at: Date): Promise<void> {
    await sql(em).run(
      'INSERT INTO dossier_attachment_blobs (sha256, size, content, created_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (sha256) DO UPDATE SET size = excluded.size',
      [sha256, bytes.length, bytes, at],
    );
  }

  async get(em: EntityManager, sha256: string): Promise<Buffer | null> {
    const row = await sql(em).get<{ content: Buffer | Uint8Array }>('SELECT content FROM dossier_attachment_blobs WHERE sha256 = ?', [
      sha256,
    ]);
    return row ? Buffer.from(row.content) : null;
  }

  async release(em: EntityManager, sha256: string): Promise<void> {
    // The row lock first (a no-op update), then the check for references on a fresh snapshot.
    await sql(em).run('UPDATE dossier_attachment_blobs SET size = size WHERE sha256 = ?', [sha256]);
    await sql(em).run(
      'DELETE FROM dossier_attachment_blobs WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM dossier_attachments WHERE sha256 = ?)',
      [sha256, sha256],
    );
  }
}
