import type { Socket } from 'node:net';

/**
 * Hands a connection's writes to the kernel once per event-loop turn instead of once per
 * packet. aedes writes each delivery from a setImmediate callback of its own, and Node runs
 * the nextTick queue after every such callback, so mqtt-packet's cork (until nextTick) covers
 * one packet: a subscriber taking thousands of QoS 1 messages a second was sent a TCP segment
 * per message and paid a socket read, a Buffer and a pass of its stream machinery for each.
 * Corked from the first write of a turn until the check phase of the next one, the deliveries
 * of a turn leave in one writev: on the per-device topic ingest read 7 messages a read instead
 * of about 1, the naive mqtt.js subscriber 41 instead of 1.4 (bench/README.md, issue 26).
 *
 * A lone packet, a fire alarm's, waits at most for the rest of the current turn: the release
 * is queued on the first write and runs in the next check phase, which a pending immediate
 * never lets the poll phase block past. Back-pressure is reported as before: `write()`
 * returns false past the high-water mark whether or not the socket is corked.
 */
export function batchWritesPerTurn(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const release = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function writeInThisTurnsBatch(this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(release);
    }
    return write.apply(this, args as Parameters<typeof write>);
  } as Socket['write'];
}
