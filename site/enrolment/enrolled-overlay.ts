import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { busSchema, siteDeviceSchema } from '../site-schema.js';

/**
 * Devices a technician enrolled through the platform's enrolment API, kept beside the
 * site file (`demo-village.yaml` → `demo-village.enrolled.yaml`) so the hand-written
 * site file is never rewritten by a program. Every service that loads the site reads
 * both; the merged site is validated by the same schema as the site file alone.
 */
export const enrolledOverlaySchema = z.strictObject({
  version: z.literal(1),
  buses: z.array(busSchema).default([]),
  devices: z.array(siteDeviceSchema).default([]),
});
export type EnrolledOverlay = z.infer<typeof enrolledOverlaySchema>;
export type EnrolledOverlayInput = z.input<typeof enrolledOverlaySchema>;

export function enrolledFileOf(siteFile: string): string {
  const name = basename(siteFile).replace(/\.ya?ml$/i, '');
  return join(dirname(siteFile), `${name}.enrolled.yaml`);
}

export function hasEnrolledFile(siteFile: string): boolean {
  return existsSync(enrolledFileOf(siteFile));
}

/** The site file's raw content with the overlay's buses and devices appended. */
export function withEnrolled(site: unknown, overlay: EnrolledOverlayInput): unknown {
  if (typeof site !== 'object' || site === null) return site;
  const raw = site as { buses?: unknown[]; devices?: unknown[] };
  return {
    ...raw,
    buses: [...(raw.buses ?? []), ...(overlay.buses ?? [])],
    devices: [...(raw.devices ?? []), ...(overlay.devices ?? [])],
  };
}
