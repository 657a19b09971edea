// SHA-256 of every weight file of an export, written into its report.json, and the check on
// re-open that names each file whose bytes no longer match. WebCrypto only (worker, page, Node 20+).
//
//   report.integrity = await weightIntegrity(shards);          // { algorithm: 'SHA-256', files: [...] }
//   await verifyWeightIntegrity(shards, parsedReport);          // throws IntegrityError naming the files
//
// A report without an `integrity` entry (an export of an older studio, or from elsewhere) has
// nothing to check: verifyWeightIntegrity says so by returning 0 files checked.

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export interface FileDigest {
  name: string;
  /** Length in bytes. */
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface WeightIntegrity {
  algorithm: 'SHA-256';
  files: FileDigest[];
}

/** A file that does not match the report; `message` is what the user sees, verbatim. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

export const REPORT_FILE = 'report.json';

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** The digests of `files`, in their order. */
export async function weightIntegrity(files: readonly NamedBytes[]): Promise<WeightIntegrity> {
  return {
    algorithm: 'SHA-256',
    files: await Promise.all(files.map(async (f) => ({ name: f.name, bytes: f.bytes.length, sha256: await sha256Hex(f.bytes) }))),
  };
}

const list = (names: string[]) => names.join(', ');

export const integrityMessages = {
  malformed: `${REPORT_FILE}: its "integrity" entry is not a list of SHA-256 digests (name, bytes, sha256). Export the model again.`,
  unknownAlgorithm: (algorithm: string) =>
    `${REPORT_FILE}: the weight digests use ${JSON.stringify(algorithm)}, which the studio cannot check (it checks SHA-256). Export the model again.`,
  mismatch: (names: string[]) =>
    names.length === 1
      ? `${names[0]}: its SHA-256 does not match the one in ${REPORT_FILE}, so the weights changed after the export. Export the model again, or get the original file.`
      : `${list(names)}: their SHA-256 digests do not match the ones in ${REPORT_FILE}, so the weights changed after the export. Export the model again, or get the original files.`,
  missing: (names: string[]) =>
    `${REPORT_FILE} lists ${names.length === 1 ? 'the weight file' : `${names.length} weight files`} ${list(names)}, but ${names.length === 1 ? 'it is' : 'they are'} not among the files opened. Open the whole export again.`,
};

function isDigest(v: unknown): v is FileDigest {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return typeof d.name === 'string' && typeof d.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(d.sha256) &&
    (d.bytes === undefined || (typeof d.bytes === 'number' && Number.isInteger(d.bytes) && d.bytes >= 0));
}

/**
 * Checks `files` against the digests in `report` (report.json as parsed JSON). Every file the report
 * lists must be present and match; files it does not list are not judged. Returns how many files
 * were checked (0 when the report has no digests); throws IntegrityError otherwise.
 */
export async function verifyWeightIntegrity(files: readonly NamedBytes[], report: unknown): Promise<number> {
  if (typeof report !== 'object' || report === null || !('integrity' in report)) return 0;
  const integrity = (report as { integrity: unknown }).integrity;
  if (typeof integrity !== 'object' || integrity === null) throw new IntegrityError(integrityMessages.malformed);
  const { algorithm, files: listed } = integrity as { algorithm?: unknown; files?: unknown };
  if (algorithm !== 'SHA-256') {
    if (typeof algorithm === 'string') throw new IntegrityError(integrityMessages.unknownAlgorithm(algorithm));
    throw new IntegrityError(integrityMessages.malformed);
  }
  if (!Array.isArray(listed) || !listed.every(isDigest)) throw new IntegrityError(integrityMessages.malformed);
  const byName = new Map(files.map((f) => [f.name, f]));
  const missing = listed.filter((d) => !byName.has(d.name)).map((d) => d.name);
  if (missing.length > 0) throw new IntegrityError(integrityMessages.missing(missing));
  const bad: string[] = [];
  for (const d of listed) {
    const file = byName.get(d.name) as NamedBytes;
    // A length that differs is a mismatch already; no need to hash the file.
    if ((d.bytes !== undefined && file.bytes.length !== d.bytes) || (await sha256Hex(file.bytes)) !== d.sha256.toLowerCase()) bad.push(d.name);
  }
  if (bad.length > 0) throw new IntegrityError(integrityMessages.mismatch(bad));
  return listed.length;
}
