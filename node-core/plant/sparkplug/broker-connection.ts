/**
 * Talking to the broker with MQTT.js: the client options from the settings (TLS, credentials), the short
 * look at the retained mark before the edge node connects, and an end that never waits past its bound.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { SparkplugSettings } from './sparkplug-settings.ts';

/** Where the MQTT password may come from instead of a file: never stored in the settings. */
const PASSWORD_ENV = 'TANDEM_MQTT_PASSWORD';

/** The options every connection shares; throws an Error naming the file that cannot be read. */
export function baseOptions(s: SparkplugSettings, connectTimeoutMs: number): IClientOptions {
  const read = (what: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(
        `${what} ${file} cannot be read: ${String((error as NodeJS.ErrnoException).code ?? error)}`,
      );
    }
  };
  const options: IClientOptions = {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: connectTimeoutMs,
    queueQoSZero: false,
  };
  if (s.mqttCaFile) options.ca = read('the MQTT CA file', s.mqttCaFile);
  if (s.mqttCertFile) options.cert = read('the MQTT client certificate', s.mqttCertFile);
  if (s.mqttKeyFile) options.key = read('the MQTT client key', s.mqttKeyFile);
  if (s.mqttUsername !== null) options.username = s.mqttUsername;
  const password = s.mqttPasswordFile
    ? read('the MQTT password file', s.mqttPasswordFile).toString('utf8').trim()
    : process.env[PASSWORD_ENV];
  if (password !== undefined && password !== '') options.password = password;
  return options;
}

/** Node's TLS codes for a broker certificate that the CA given does not vouch for (or that is not valid). */
const UNTRUSTED_BROKER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Why a connection failed, in words an operator can act on. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'the broker refuses connections (not running?)';
  if (typeof code === 'string' && UNTRUSTED_BROKER.has(code))
    return `the broker's TLS certificate is not trusted (${error.message}); check --mqtt-ca`;
  if (typeof code === 'string' && code.startsWith('ERR_SSL') && /CERTIFICATE/.test(code))
    return `the broker refused this node's TLS client certificate (${error.message}); check --mqtt-cert`;
  if (code === 134 || code === 135 || code === 4 || code === 5)
    return `the broker refused the credentials (${error.message})`;
  return error.message;
}

/**
 * Connects briefly under a client id of its own, without a will, reads the retained message of `topic` and
 * replaces it with `next(found)` (QoS 1, retained), answering once the broker has acknowledged that. It waits
 * for the echo of a message of its own on a second topic: the broker sends it after the retained messages of
 * earlier subscriptions, so no fixed wait is needed.
 */
export async function readAndReplaceRetained(
  url: string,
  options: IClientOptions,
  clientId: string,
  topic: string,
  timeoutMs: number,
  next: (found: Buffer | null) => Buffer,
): Promise<void> {
  const client = mqtt.connect(url, { ...options, clientId, clean: true });
  const echo = `${topic}/probe/${randomBytes(6).toString('hex')}`;
  try {
    await new Promise<void>((resolve, reject) => {
      let retained: Buffer | null = null;
      const timer = setTimeout(() => reject(new Error('the broker did not answer in time')), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      client.on('error', fail);
      client.on('message', (t, payload) => {
        if (t === topic) retained = payload.length > 0 ? payload : null;
        if (t !== echo) return;
        client.publish(topic, next(retained), { qos: 1, retain: true }, (error) => {
          if (error) return fail(error);
          clearTimeout(timer);
          resolve();
        });
      });
      client.on('connect', () => {
        client.subscribe([topic, echo], { qos: 1 }, (error) => {
          if (error) return fail(error);
          client.publish(echo, '', { qos: 1 });
        });
      });
    });
  } finally {
    client.end(true);
  }
}

/**
 * The edge node's session: a clean start (MQTT 5, no session kept), NDEATH as the will (QoS 1, not retained),
 * a keep-alive of the ping timeout so a lost broker is noticed about as fast as a lost peer.
 */
export function connectEdge(
  url: string,
  options: IClientOptions,
  clientId: string,
  will: { topic: string; payload: Buffer },
  pingTimeoutMs: number,
): MqttClient {
  return mqtt.connect(url, {
    ...options,
    clientId,
    clean: true,
    properties: { sessionExpiryInterval: 0 },
    keepalive: Math.max(1, Math.ceil(pingTimeoutMs / 1000)),
    will: { ...will, qos: 1, retain: false },
  });
}

/** MQTT 5 DISCONNECT reason codes: a normal end (the broker drops the will), or one that publishes it. */
const DISCONNECT_REASON = { 'discard-will': 0, 'publish-will': 4 } as const;

/**
 * Ends a client, letting queued messages out if that is quick; never waits longer than `boundMs`. Past the
 * bound the socket is dropped, and the broker publishes the will as for any lost connection.
 */
export function endWithin(
  client: MqttClient,
  boundMs: number,
  will: keyof typeof DISCONNECT_REASON,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      client.end(true);
      resolve();
    }, boundMs);
    timer.unref();
    client.end(false, { reasonCode: DISCONNECT_REASON[will] }, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
