/**
 * One TCP read that holds a client's HEL and more ended the node (found by test/fuzz/opcua-port-fuzz.ts,
 * docs/opcua.md "Bad input"): node-opcua's transport replaces its packet assembler when the HEL sets the
 * connection's limits, removing the old assembler's listeners while that assembler is still splitting the
 * rest of the read. The rest then had nowhere to go, and a malformed header in it raised an `error` event with
 * no listener, which Node throws: any client could stop the node with one packet.
 *
 * The guard drops what a replaced assembler is still fed. Nothing is lost that was delivered before: with its
 * listeners gone, that assembler's chunks already reached no one (a well-behaved client waits for ACK after
 * HEL, so it never sends such bytes). The test "OPC UA: garbage on the OPC UA port never ends the node" fails
 * without it.
 */
import { PacketAssembler } from 'node-opcua-packet-assembler';

let installed = false;

export function dropBytesOfReplacedAssemblers(): void {
  if (installed) return;
  installed = true;
  const prototype = PacketAssembler.prototype as { feed: (this: PacketAssembler, data: Buffer) => void };
  const feed = prototype.feed;
  prototype.feed = function (this: PacketAssembler, data: Buffer): void {
    if (this.listenerCount('chunk') === 0) return;
    feed.call(this, data);
  };
}
