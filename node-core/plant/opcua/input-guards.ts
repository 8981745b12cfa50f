/**
 * Guards around node-opcua's reading of what arrives on the OPC UA port (docs/opcua.md "Bad input"). Each
 * closes a way for one packet from anyone to end the node, found by test/fuzz/opcua-port-fuzz.ts; the test
 * "OPC UA: garbage on the OPC UA port never ends the node" sends each packet and fails without its guard.
 * node-opcua-packet-assembler and node-opcua-secure-channel are direct dependencies only so that these can
 * reach their classes (the same versions node-opcua uses, deduplicated to one copy).
 */
import { PacketAssembler } from 'node-opcua-packet-assembler';
import { MessageBuilder } from 'node-opcua-secure-channel';
import { StatusCodes } from 'node-opcua';

let installed = false;

export function guardOpcUaInput(): void {
  if (installed) return;
  installed = true;
  dropBytesOfReplacedAssemblers();
  refuseUndecodableMessages();
}

/**
 * A Hello followed, in the same TCP read, by a header claiming more than the Hello's buffer size. The
 * transport replaces its packet assembler when the Hello sets the connection's limits, removing the old one's
 * listeners while that one is still splitting the rest of the read; the header's `error` event then had no
 * listener, and Node throws it. The old assembler's chunks already reached no one, and a well-behaved client
 * waits for the Acknowledge after its Hello: what it is still fed is dropped.
 */
function dropBytesOfReplacedAssemblers(): void {
  const prototype = PacketAssembler.prototype as { feed: (this: PacketAssembler, data: Buffer) => void };
  const feed = prototype.feed;
  prototype.feed = function (this: PacketAssembler, data: Buffer): void {
    if (this.listenerCount('chunk') === 0) return;
    feed.call(this, data);
  };
}

/** The parts of MessageBuilder this relies on (protected in its types). */
interface MessageBuilderInternals {
  _decodeMessageBody: (this: MessageBuilderInternals, body: Buffer) => boolean;
  _report_error: (statusCode: unknown, message: string) => boolean;
}

/**
 * An OpenSecureChannel (no certificate or login needed) or any message whose body names its type with an
 * opaque NodeId: node-opcua's type lookup throws for those instead of answering "unknown type", and nothing
 * caught it. Any error while decoding a message body is now what node-opcua does with a body it cannot
 * decode: Bad_TcpInternalError to the client and the channel closed.
 */
function refuseUndecodableMessages(): void {
  const prototype = MessageBuilder.prototype as unknown as MessageBuilderInternals;
  const decode = prototype._decodeMessageBody;
  prototype._decodeMessageBody = function (this: MessageBuilderInternals, body: Buffer): boolean {
    try {
      return decode.call(this, body);
    } catch (error) {
      return this._report_error(
        StatusCodes.BadTcpInternalError,
        `cannot decode the message: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
