import { describe, expect, it } from 'vitest';
import { CATALOGUE, getProfile } from '../catalogue.js';
import { occupiedWords } from '../register-map.js';
import { unitOfField } from '../units.js';
import { fieldLabel } from '../field-labels.js';
import {
  cjt188ProfileSchema,
  dlt645ProfileSchema,
  modbusProfileSchema,
  profileFields,
  type Dlt645Profile,
  type ModbusProfile,
  type MqttProfile,
} from '../profile-schema.js';
import { DLT645_DATA_IDS } from '../dlt645/data-identifiers.js';
import { EVENT_TYPES } from '../../contracts/index.js';

const modbus = CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus');
const mqtt = CATALOGUE.filter((p): p is MqttProfile => p.protocol === 'mqtt');
const dlt645 = CATALOGUE.filter((p): p is Dlt645Profile => p.protocol === 'dlt645');

describe('device catalogue', () => {
  it('has the models the village needs', () => {
    const ids = CATALOGUE.map((p) => p.id);
    for (const id of [
      'eastron-sdm120',
      'chint-dtsu666',
      'tuf-2000m',
      'generic-pressure-rs485',
      'generic-water-quality',
      'frigate-camera',
      'hikvision-door',
      'gst-fire-panel',
      'gb17945-emergency-light',
      'dlt645-single-phase',
      'cjt188-cold-water',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it.each(CATALOGUE.map((p) => [p.id, p] as const))(
    '%s: every field has a label in Chinese and English for the status page',
    (_id, profile) => {
      for (const field of profileFields(profile)) {
        expect(fieldLabel(field)?.zh, field).toBeTruthy();
        expect(fieldLabel(field)?.en, field).toBeTruthy();
      }
    },
  );

  it('has unique profile ids', () => {
    const ids = CATALOGUE.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(CATALOGUE.map((p) => [p.id, p] as const))(
    '%s: every field is snake_case with a known unit suffix',
    (_id, profile) => {
      for (const field of profileFields(profile)) {
        expect(field).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(unitOfField(field), field).toBeDefined();
      }
    },
  );

  it.each(modbus.map((p) => [p.id, p] as const))(
    '%s: no two fields share a register word',
    (_id, profile) => {
      const owners = new Map<string, string>();
      for (const word of occupiedWords(profile)) {
        const key = `${word.table}:${word.address}`;
        expect(owners.get(key), `${word.owner} overlaps ${owners.get(key)} at ${key}`).toBeUndefined();
        owners.set(key, word.owner);
      }
    },
  );

  it.each(modbus.map((p) => [p.id, p] as const))(
    '%s: addresses are within the Modbus range after numbering',
    (_id, profile) => {
      for (const word of occupiedWords(profile)) {
        expect(word.address).toBeGreaterThanOrEqual(0);
        expect(word.address).toBeLessThanOrEqual(0xffff);
      }
    },
  );

  it('one-based numbering puts TUF-2000M R1 at address 0', () => {
    const words = occupiedWords(getProfile('tuf-2000m') as ModbusProfile);
    expect(words.find((w) => w.owner === 'flow_m3h')?.address).toBe(0);
  });

  it.each(mqtt.map((p) => [p.id, p] as const))(
    '%s: declares canonical events and topic patterns',
    (_id, profile) => {
      for (const event of profile.events) expect(EVENT_TYPES).toContain(event);
      for (const mapping of profile.topics) {
        expect(mapping.pattern).toMatch(/^[A-Za-z0-9_{}/-]+$/);
        expect(mapping.pattern.includes('{vendorId}') || mapping.vendorIdOf !== undefined).toBe(true);
      }
    },
  );

  it.each(dlt645.map((p) => [p.id, p] as const))(
    '%s: data ids are unique, and standard ones keep the standard format',
    (_id, profile) => {
      const ids = profile.items.map((i) => i.dataId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const item of profile.items) {
        expect(unitOfField(item.field), item.field).toBeDefined();
        const known = DLT645_DATA_IDS[item.dataId];
        if (known) expect(item.format, item.dataId).toEqual(known.format);
      }
    },
  );

  it('the DL/T 645 schema rejects a field without a unit suffix and a data id read twice', () => {
    const base = getProfile('dlt645-single-phase');
    const format = { bytes: 2, decimals: 1 };
    expect(
      dlt645ProfileSchema().safeParse({ ...base, items: [{ field: 'voltage', dataId: '02010100', format }] })
        .success,
    ).toBe(false);
    const twice = dlt645ProfileSchema().safeParse({
      ...base,
      items: [
        { field: 'voltage_v', dataId: '02010100', format },
        { field: 'voltage_l1_v', dataId: '02010100', format },
      ],
    });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues.map((i) => i.message)).toContain('dataId "02010100" is listed twice');
    expect(
      dlt645ProfileSchema().safeParse({ ...base, items: [{ field: 'voltage_v', dataId: '2010100', format }] })
        .success,
    ).toBe(false);
  });

  it('the schema rejects a field name without a unit suffix and a field mapped twice', () => {
    const base = getProfile('eastron-sdm120');
    expect(
      modbusProfileSchema().safeParse({ ...base, registers: [{ field: 'voltage', at: 0, type: 'float32' }] })
        .success,
    ).toBe(false);
    const twice = modbusProfileSchema().safeParse({
      ...base,
      registers: [
        { field: 'voltage_v', at: 0, type: 'float32' },
        { field: 'voltage_v', at: 2, type: 'float32' },
      ],
    });
    expect(twice.success).toBe(false);
  });

  it('the CJ/T 188 schema rejects an unknown part, a field listed twice and a meter type that is not water', () => {
    const base = getProfile('cjt188-cold-water');
    const parse = (change: Record<string, unknown>) =>
      cjt188ProfileSchema().safeParse({ ...base, ...change });
    expect(parse({}).success).toBe(true);
    expect(parse({ items: [{ field: 'forward_total_m3', part: 'heat_total' }] }).success).toBe(false);
    const twice = parse({
      items: [
        { field: 'forward_total_m3', part: 'current_total' },
        { field: 'forward_total_m3', part: 'settlement_total' },
      ],
    });
    expect(twice.error?.issues.map((i) => i.message)).toContain('field "forward_total_m3" is listed twice');
    expect(parse({ meterType: 0x30 }).success).toBe(false);
  });
});
