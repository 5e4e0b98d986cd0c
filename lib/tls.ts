import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { z } from 'zod';

/**
 * TLS material as files: the paths cert-manager (or any Secret) mounts. A CA means "mutual TLS":
 * callers must present a certificate from that CA, and only allow-listed identities are admitted.
 */
export const TlsFilesSchema = z
  .object({
    caPath: z.string().min(1).optional(),
    certPath: z.string().min(1).optional(),
    keyPath: z.string().min(1).optional(),
    allowedIdentities: z.array(z.string().min(1)).default([]),
  })
  .superRefine((t, ctx) => {
    if (!t.caPath) return;
    if (!t.certPath || !t.keyPath) ctx.addIssue({ code: 'custom', message: 'a CA needs the server certificate and key too (cert and key paths)' });
    if (t.allowedIdentities.length === 0) ctx.addIssue({ code: 'custom', message: 'mutual TLS needs an allow-list of caller identities (CN or SAN); an empty one would admit nobody' });
  });
export type TlsFiles = z.infer<typeof TlsFilesSchema>;

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Reads the files now, naming the one that is missing. */
export function readTlsMaterial(files: { caPath: string; certPath: string; keyPath: string }): TlsMaterial {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read TLS ${what} ${path}: ${(err as Error).message}`);
    }
  };
  return { ca: read('CA', files.caPath), cert: read('certificate', files.certPath), key: read('key', files.keyPath) };
}

/** A comma list from the environment ("a, b,,c" → ["a","b","c"]). */
export function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Every identity a peer certificate asserts: its subject CN and each SAN (DNS, URI such as a
 * SPIFFE id, email, IP), without their type prefixes, so an allow-list names them plainly.
 */
export function certificateIdentities(cert: PeerCertificate | undefined | null): string[] {
  if (!cert || Object.keys(cert).length === 0) return [];
  const ids = new Set<string>();
  const cn = cert.subject?.CN;
  for (const c of Array.isArray(cn) ? cn : cn ? [cn] : []) ids.add(c);
  for (const entry of splitList(cert.subjectaltname)) {
    const colon = entry.indexOf(':');
    ids.add(colon >= 0 ? entry.slice(colon + 1) : entry);
  }
  return [...ids];
}
