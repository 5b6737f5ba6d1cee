/**
 * Child entry: a farm of minimal Modbus TCP servers (one per simulated bus/converter),
 * each answering FC 03/04 reads for units 1..UNITS from the register image of that
 * unit's profile (devices' encodeReading), and counting the read requests it serves.
 * Reports its ports over IPC, then the request count whenever the parent asks.
 * Env: BUSES, PROFILES (comma list, one per unit id, starting at unit 1).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeReading, getModbusProfile, type RegisterImage } from '../../devices/index.js';

const buses = Number(process.env.BUSES);
const profiles = (process.env.PROFILES ?? '').split(',').map((id) => getModbusProfile(id));
const images: RegisterImage[] = profiles.map((profile) => {
  const values: Record<string, number> = {};
  // Mid-range values, so the gateway's garbage check (validRange) keeps every field.
  profile.registers.forEach((register, i) => {
    const range = register.validRange;
    values[register.field] = range ? (range[0] + range[1]) / 2 : 10 + i;
  });
  return encodeReading(profile, values);
});
let requests = 0;
const sockets = new Set<Socket>();

function answer(socket: Socket, frame: Buffer): void {
  const unit = frame[6] as number;
  const fc = frame[7] as number;
  const start = frame.readUInt16BE(8);
  const count = frame.readUInt16BE(10);
  const image = images[unit - 1];
  requests++;
  if ((fc !== 3 && fc !== 4) || !image) {
    const error = Buffer.alloc(9);
    frame.copy(error, 0, 0, 4);
    error.writeUInt16BE(3, 4);
    error[6] = unit;
    error[7] = fc | 0x80;
    error[8] = 2;
    socket.write(error);
    return;
  }
  const table = fc === 3 ? 'holding' : 'input';
  const reply = Buffer.alloc(9 + count * 2);
  frame.copy(reply, 0, 0, 4);
  reply.writeUInt16BE(3 + count * 2, 4);
  reply[6] = unit;
  reply[7] = fc;
  reply[8] = count * 2;
  for (let i = 0; i < count; i++) reply.writeUInt16BE(image.get(table, start + i) ?? 0, 9 + i * 2);
  socket.write(reply);
}

function serve(socket: Socket): void {
  sockets.add(socket);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 7) {
      const length = 6 + pending.readUInt16BE(4);
      if (pending.length < length) break;
      answer(socket, pending.subarray(0, length));
      pending = pending.subarray(length);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => sockets.delete(socket));
}

const servers: Server[] = [];
const ports: number[] = [];
for (let b = 0; b < buses; b++) {
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  ports.push(typeof address === 'object' && address ? address.port : 0);
  servers.push(server);
}
process.send?.({ ports });
process.on('message', () => process.send?.({ requests }));
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
  process.exit(0);
});
