import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_SITE_FILE,
  enrolDevice,
  enrolledFileOf,
  enrolmentScopeOf,
  enrolmentTokenSchema,
  hashEnrolmentToken,
  loadSite,
} from '../index.js';

const meter = (id: string, extra: Record<string, unknown> = {}) => ({
  device: {
    id,
    name: '食堂水表',
    profile: 'cjt188-cold-water',
    zone: 'dining',
    building: 'canteen',
    bus: 'bus-water',
    meterAddress: '00000020250001',
    ...extra,
  },
  bus: { id: 'bus-water', protocol: 'cjt188' },
});

describe('enrolled overlay', () => {
  let dir: string;
  let site: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    site = join(dir, 'village.yaml');
    copyFileSync(DEMO_SITE_FILE, site);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a device for the token’s gateway; loadSite then lists it, the site file unchanged', () => {
    const before = readFileSync(site, 'utf8');
    const outcome = enrolDevice(site, 'gw-center', meter('canteen-water'));
    expect(outcome).toMatchObject({ kind: 'enrolled', replaced: false });
    expect(readFileSync(site, 'utf8')).toBe(before);
    expect(loadSite(site).devices.find((d) => d.id === 'canteen-water')?.gateway).toBe('gw-center');
    expect(readFileSync(enrolledFileOf(site), 'utf8')).toContain('do not edit by hand');
    expect(enrolDevice(site, 'gw-center', meter('canteen-water', { pollIntervalS: 30 }))).toMatchObject({
      replaced: true,
    });
    expect(loadSite(site).devices.filter((d) => d.id === 'canteen-water')).toHaveLength(1);
  });

  it('refuses a device of the site file, another gateway’s device, and an invalid one', () => {
    expect(enrolDevice(site, 'gw-center', meter('shop-power'))).toMatchObject({
      kind: 'refused',
      code: 'CONFIG_INVALID',
    });
    expect(enrolDevice(site, 'gw-other', meter('canteen-water'))).toMatchObject({
      kind: 'refused',
      code: 'CONFIG_INVALID',
    });
    enrolDevice(site, 'gw-center', meter('canteen-water'));
    expect(enrolDevice(site, 'gw-other', meter('canteen-water'))).toMatchObject({
      kind: 'refused',
      code: 'GATEWAY_MISMATCH',
    });
    const shortAddress = enrolDevice(
      site,
      'gw-center',
      meter('clinic-water', { meterAddress: '000020250001' }),
    );
    expect(shortAddress).toMatchObject({ kind: 'refused', code: 'CONFIG_INVALID' });
    expect(shortAddress.kind === 'refused' && shortAddress.issues.join('\n')).toMatch(/must have 14 digits/);
  });

  it('a token is good for its one site and gateway, compared by hash', () => {
    const tokens = [
      enrolmentTokenSchema.parse(`demo-village/gw-center/${hashEnrolmentToken('s3cret-token')}`),
    ];
    expect(enrolmentScopeOf(tokens, 's3cret-token')).toEqual({ site: 'demo-village', gateway: 'gw-center' });
    expect(enrolmentScopeOf(tokens, 's3cret-token ')).toBeUndefined();
    expect(enrolmentTokenSchema.safeParse('demo-village/gw-center/plain-token').success).toBe(false);
  });
});
