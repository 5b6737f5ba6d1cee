import { renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { z } from 'zod';
import { readConfigFile } from '../../runtime/index.js';
import { busSchema, siteDeviceSchema, siteSchema, type Site } from '../site-schema.js';
import {
  enrolledFileOf,
  enrolledOverlaySchema,
  hasEnrolledFile,
  withEnrolled,
  type EnrolledOverlay,
} from './enrolled-overlay.js';

/** What a technician's `add` sends: the device as the site file would list it, less the gateway (the token says which). */
export const enrolmentRequestSchema = z.strictObject({
  device: siteDeviceSchema.omit({ gateway: true }),
  /** The device's bus, when the site file does not have it yet. */
  bus: busSchema.omit({ gateway: true }).optional(),
});
export type EnrolmentRequest = z.input<typeof enrolmentRequestSchema>;

export type EnrolmentOutcome =
  | { kind: 'enrolled'; site: Site; replaced: boolean }
  | { kind: 'refused'; code: 'GATEWAY_MISMATCH' | 'CONFIG_INVALID'; issues: string[] };

/**
 * Adds (or replaces) one device of `gateway` in the site's enrolled overlay, after
 * checking that the merged site is valid by the site schema. A device or bus of the
 * hand-written site file, or of another gateway, cannot be changed this way.
 * Callers run one enrolment at a time per site.
 */
export function enrolDevice(siteFile: string, gateway: string, input: unknown): EnrolmentOutcome {
  const parsed = enrolmentRequestSchema.safeParse(input);
  if (!parsed.success) return refused('CONFIG_INVALID', parsed.error.issues);
  const { device, bus } = parsed.data;
  const base = readConfigFile(siteFile) as {
    devices?: Array<{ id?: unknown }>;
    buses?: Array<{ id?: unknown; gateway?: unknown }>;
  };
  const overlay: EnrolledOverlay = hasEnrolledFile(siteFile)
    ? enrolledOverlaySchema.parse(readConfigFile(enrolledFileOf(siteFile)))
    : { version: 1, buses: [], devices: [] };
  if ((base.devices ?? []).some((d) => d.id === device.id)) {
    return refused('CONFIG_INVALID', [`device "${device.id}" is in the site file itself: change it there`]);
  }
  const previous = overlay.devices.find((d) => d.id === device.id);
  if (previous && previous.gateway !== gateway) {
    return refused('GATEWAY_MISMATCH', [
      `device "${device.id}" is enrolled for gateway "${previous.gateway}"`,
    ]);
  }
  const buses = [...overlay.buses];
  if (bus) {
    const owner = [...(base.buses ?? []), ...overlay.buses].find((b) => b.id === bus.id);
    if (owner && owner.gateway !== gateway) {
      return refused('GATEWAY_MISMATCH', [`bus "${bus.id}" belongs to gateway "${String(owner.gateway)}"`]);
    }
    if (!(base.buses ?? []).some((b) => b.id === bus.id)) {
      const at = buses.findIndex((b) => b.id === bus.id);
      const entry = { ...bus, gateway };
      if (at === -1) buses.push(entry as EnrolledOverlay['buses'][number]);
      else buses[at] = entry as EnrolledOverlay['buses'][number];
    }
  }
  const next = {
    version: 1 as const,
    buses,
    devices: [...overlay.devices.filter((d) => d.id !== device.id), { ...device, gateway }],
  };
  const merged = siteSchema.safeParse(withEnrolled(base, next));
  if (!merged.success) return refused('CONFIG_INVALID', merged.error.issues);
  const file = enrolledFileOf(siteFile);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(
    temporary,
    `# 由平台登记接口写入，勿手工编辑 / Written by the platform's enrolment API; do not edit by hand.\n${stringify(next)}`,
  );
  renameSync(temporary, file);
  return { kind: 'enrolled', site: merged.data, replaced: previous !== undefined };
}

function refused(
  code: 'GATEWAY_MISMATCH' | 'CONFIG_INVALID',
  issues: ReadonlyArray<string | { path: PropertyKey[]; message: string }>,
): EnrolmentOutcome {
  return {
    kind: 'refused',
    code,
    issues: issues.map((i) =>
      typeof i === 'string' ? i : `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    ),
  };
}
