import { describe, expect, it } from 'vitest';
import { testSite } from '../test/helpers.js';
import { FaultBook, FaultTargetError } from './fault-book.js';

function testSiteWithMeter(): FaultBook {
  return new FaultBook(
    testSite([
      { id: 'p-a', profile: 'generic-pressure-rs485', unitId: 1 },
      { id: 'e-a', profile: 'eastron-sdm120', unitId: 2 },
    ]),
  );
}

describe('FaultBook', () => {
  const site = () =>
    testSite([
      { id: 'p-a', profile: 'generic-pressure-rs485', unitId: 1 },
      { id: 'f-a', profile: 'tuf-2000m', unitId: 2 },
      { id: 'p-b', profile: 'generic-pressure-rs485', unitId: 1, zone: 'zone-b' },
      { id: 'q-b', profile: 'generic-water-quality', unitId: 2, zone: 'zone-b' },
    ]);

  it('low-pressure takes a device or a zone', () => {
    const book = new FaultBook(site());
    const onDevice = book.inject({ kind: 'low-pressure', target: 'p-a' }, 1);
    expect(onDevice.fault).toMatchObject({ targetType: 'device', startedAt: 1 });
    expect(book.conditionsFor('p-a').lowPressureMpa).toBe(0.02);
    expect(book.conditionsFor('p-b').lowPressureMpa).toBeUndefined();
    const onZone = book.inject({ kind: 'low-pressure', target: 'zone-b' }, 2);
    expect(onZone.affected.map((r) => r.device.id)).toEqual(['p-b']);
    expect(book.conditionsFor('p-b').lowPressureMpa).toBe(0.02);
  });

  it('a zone fault touches only the categories it acts on, and clearing restores them', () => {
    const book = new FaultBook(site());
    const { fault, affected } = book.inject({ kind: 'water-outage', target: 'zone-a' }, 5);
    expect(affected.map((r) => r.device.id).sort()).toEqual(['f-a', 'p-a']);
    expect(book.conditionsFor('f-a').waterOff).toBe(true);
    expect(book.conditionsFor('q-b').waterOff).toBe(false);
    expect(book.clear(fault.id)?.fault.id).toBe(fault.id);
    expect(book.conditionsFor('f-a').waterOff).toBe(false);
    expect(book.clear(fault.id)).toBeUndefined();
  });

  it('returns the fault already on for a repeated request, and silent wins over garbage', () => {
    const book = new FaultBook(site());
    const first = book.inject({ kind: 'meter-garbage', target: 'q-b' }, 1);
    expect(book.inject({ kind: 'meter-garbage', target: 'q-b' }, 2)).toMatchObject({
      fault: first.fault,
      created: false,
    });
    expect(book.modbusModeFor('q-b')).toBe('garbage');
    book.inject({ kind: 'meter-silent', target: 'q-b' }, 3);
    expect(book.modbusModeFor('q-b')).toBe('silent');
    expect(book.list()).toHaveLength(2);
  });

  it('supply and pressure excursions set the physics of the devices they act on', () => {
    const book = testSiteWithMeter();
    book.inject({ kind: 'overvoltage', target: 'e-a' }, 1);
    book.inject({ kind: 'frequency-deviation', target: 'zone-a' }, 1);
    book.inject({ kind: 'high-pressure', target: 'p-a' }, 1);
    expect(book.conditionsFor('e-a')).toMatchObject({ voltageFactor: 1.1, frequencyHz: 50.5 });
    expect(book.conditionsFor('p-a').highPressureMpa).toBe(0.55);
    expect(book.conditionsFor('p-a').voltageFactor).toBeUndefined();
    const under = book.inject({ kind: 'undervoltage', target: 'e-a' }, 2);
    expect(book.conditionsFor('e-a').voltageFactor).toBe(0.84);
    book.clear(under.fault.id);
    expect(() => book.inject({ kind: 'overvoltage', target: 'p-a' }, 3)).toThrow(/electricity-meter/);
  });

  it('a power outage takes a building as well as a zone', () => {
    const book = new FaultBook(
      testSite([
        { id: 'e-a', profile: 'eastron-sdm120', unitId: 2 },
        { id: 'e-b', profile: 'eastron-sdm120', unitId: 3, zone: 'zone-b' },
      ]),
    );
    const { fault, affected } = book.inject({ kind: 'power-outage', target: 'zone-a-building' }, 1);
    expect(fault.targetType).toBe('building');
    expect(affected.map((r) => r.device.id)).toEqual(['e-a']);
    expect(book.conditionsFor('e-b').powerOff).toBe(false);
  });

  it('rejects targets of the wrong kind', () => {
    const book = new FaultBook(site());
    expect(() => book.inject({ kind: 'leak', target: 'zone-a' }, 1)).toThrow(FaultTargetError);
    expect(() => book.inject({ kind: 'leak', target: 'p-a' }, 1)).toThrow(/water-flow-meter/);
    expect(() => book.inject({ kind: 'power-outage', target: 'p-a' }, 1)).toThrow(/needs a building or zone/);
  });
});
